// Validates every document of a YAML stream (stdin) against the Kubernetes OpenAPI schema, using kubernetes-models
// (generated from the official OpenAPI spec), not RAD's code. Prints one line per document; exits 1 if any fails.
import { parseAllDocuments } from "yaml";

const input = await new Promise((resolve) => {
  let text = "";
  process.stdin.setEncoding("utf8");
  process.stdin.on("data", (chunk) => (text += chunk));
  process.stdin.on("end", () => resolve(text));
});

let failed = 0;
let count = 0;
for (const document of parseAllDocuments(input)) {
  if (document.errors.length > 0) {
    console.log(`INVALID YAML: ${document.errors.map((e) => e.message).join("; ")}`);
    failed++;
    continue;
  }
  const object = document.toJS();
  if (object === null || object === undefined) continue;
  count++;
  const { apiVersion, kind } = object;
  const group = apiVersion.includes("/") ? apiVersion : `v1`;
  const module = await import(`kubernetes-models/${apiVersion.includes("/") ? group : "v1"}`).catch(() => null);
  const Model = module?.[kind];
  const name = `${kind} ${object.metadata?.namespace ?? ""}/${object.metadata?.name ?? "?"}`;
  if (!Model) {
    console.log(`UNKNOWN ${apiVersion} ${kind}: no schema`);
    failed++;
    continue;
  }
  try {
    new Model(object).validate();
    console.log(`OK ${name}`);
  } catch (e) {
    console.log(`INVALID ${name}: ${e.message}`);
    failed++;
  }
}
console.log(`${count} document(s), ${failed} invalid`);
process.exit(failed === 0 && count > 0 ? 0 : 1);
