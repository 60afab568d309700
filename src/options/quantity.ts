/**
 * Kubernetes resource quantities (k8s.io/apimachinery resource.Quantity) as numbers.
 * Pure. The installed @kubernetes/client-node `quantityToScalar` rejects fractional
 * binary quantities such as "1.5Gi" and exponents such as "1e9", both valid in
 * Kubernetes, so this small parser is used instead.
 */

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const FORM = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:([eE][+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?)$/;

/** The value of a quantity ("512Mi" -> 536870912, "1G" -> 1e9, "1e3" -> 1000); throws naming the text when it is not one. */
export function parseQuantity(text: string): number {
    const match = FORM.exec(text);
    if (!match) {
        throw new Error(`not a Kubernetes quantity: ${JSON.stringify(text)} (expected e.g. "512Mi", "1Gi", "1G", "1e9" or "1073741824")`);
    }
    const [, number, exponent, suffix = ""] = match;
    if (exponent !== undefined) return Number(number + exponent);
    return Number(number) * (BINARY[suffix] ?? DECIMAL[suffix]);
}

/** Whole bytes of a memory quantity (Kubernetes rounds fractional bytes up). */
export function memoryBytes(text: string): number {
    return Math.ceil(parseQuantity(text));
}

/** `percent` % of a memory quantity in whole bytes (rounded down: never above the share). */
export function memoryShare(text: string, percent: number): number {
    return Math.floor((memoryBytes(text) * percent) / 100);
}
