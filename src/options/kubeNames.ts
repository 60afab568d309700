/** Kubernetes naming rules (apimachinery validation), as patterns and zod schemas with plain-words errors. */
import { z } from "zod";

export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export const LABEL_KEY_RULE = "label keys must be [prefix/]name with name up to 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric";
export const LABEL_VALUE_RULE = "label values must be up to 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric";

/** A DNS name (RFC 1123): a subdomain of labels of at most 63 characters each, 253 in all. */
export function isDnsName(name: string): boolean {
    return name.length <= 253 && DNS1123_SUBDOMAIN.test(name) && name.split(".").every((label) => label.length <= 63);
}

/** A label (or annotation) key: `[prefix/]name`, the prefix a DNS subdomain. */
export function isLabelKey(key: string): boolean {
    const parts = key.split("/");
    if (parts.length > 2) return false;
    const name = parts[parts.length - 1];
    const prefix = parts.length === 2 ? parts[0] : undefined;
    if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix))) return false;
    return name.length <= 63 && LABEL_NAME.test(name);
}

export function labelValue() {
    return z.string({ error: "label values must be strings" }).max(63, { error: "label values are at most 63 characters" })
        .regex(LABEL_VALUE, { error: LABEL_VALUE_RULE });
}

export function labelKey() {
    return z.string({ error: "must be a string" }).refine(isLabelKey, { error: LABEL_KEY_RULE });
}

/** A map of labels; each bad key is reported at its own path. */
export function labelMap() {
    return z.record(z.string(), labelValue(), { error: 'must be a map of label names to values such as { app: "web" }' })
        .superRefine((labels, ctx) => {
            for (const key of Object.keys(labels)) {
                if (!isLabelKey(key)) ctx.addIssue({ code: "custom", path: [key], message: LABEL_KEY_RULE });
            }
        });
}

/** A name of an object such as a Secret, a ServiceAccount or a PriorityClass. */
export function objectName(what: string) {
    const error = `must be the name of ${what}: lower-case letters, digits, '-' and '.', starting and ending alphanumeric, at most 253 characters`;
    return z.string({ error }).max(253, { error }).regex(DNS1123_SUBDOMAIN, { error });
}
