/** Public library API of Migrasim. */
export { VERSION } from "./version.ts";
export { UserError } from "./util/errors.ts";
