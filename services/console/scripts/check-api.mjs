// Fails when src/api/schema.d.ts is not what openapi-typescript makes of openapi.json (run `make console-api`).
import { readFileSync } from "node:fs";
import openapiTS, { astToString } from "openapi-typescript";

const root = new URL("../", import.meta.url);
const generated = astToString(await openapiTS(new URL("openapi.json", root)));
const committed = readFileSync(new URL("src/api/schema.d.ts", root), "utf8");
// The CLI adds its banner; compare the declarations only.
const body = (text) => text.slice(text.indexOf("export "));
if (body(generated) !== body(committed)) {
  console.error("src/api/schema.d.ts is stale: run `make console-api` and commit it");
  process.exit(1);
}
console.log("src/api/schema.d.ts matches openapi.json");
