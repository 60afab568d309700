/** Password rotation: plan (pure), live steps (password.sh over the transport), dynamic provider and resource. */
export * from "./plan";
export * from "./apply";
export * from "./provider";
export * from "./resource";
