/**
 * Container image references as the kubelet parses them (the distribution/reference
 * grammar): the API server accepts any image text, but the kubelet refuses a malformed one
 * (`InvalidImageName`) and the pod never starts, so `pulumi up` would wait for it until it
 * times out. Pure.
 */

const ALNUM = "[a-z0-9]+";
const SEPARATOR = "(?:[._]|__|[-]+)";
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const TAG = "[\\w][\\w.-]{0,127}";
const DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";
const REFERENCE = new RegExp(`^((?:(${DOMAIN})/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::${TAG})?(?:@${DIGEST})?$`);
/** The longest repository name (registry host included) the grammar allows. */
const NAME_MAX = 255;

export const IMAGE_REFERENCE_RULE = 'must be an image reference such as "redis:7.2.5" or "registry.example.com/cache/redis@sha256:<64 hex digits>": ' +
    "an optional registry host, a lower-case repository path, an optional tag and digest, no spaces";

/** Whether the kubelet would accept `image` as an image reference. */
export function isImageReference(image: string): boolean {
    const match = REFERENCE.exec(image);
    if (!match) return false;
    const [, name, domain] = match;
    if (name.length > NAME_MAX) return false;
    // The first component is a registry host only if it looks like one ("Foo/bar" is an upper-case repository).
    return domain === undefined || domain === "localhost" || /[.:[]/.test(domain) || new RegExp(`^${PATH_COMPONENT}$`).test(domain);
}
