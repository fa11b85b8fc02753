// Builds the hub's front-end assets into frontend/dist/hub/:
// - hub.css: GOV.UK Frontend compiled with the hub's settings (no GOV.UK font) plus our styles
// - govuk-frontend.min.js and hub.mjs, which starts GOV.UK Frontend's components
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "frontend", "dist", "hub");
mkdirSync(out, { recursive: true });

const css = sass.compile(join(root, "frontend", "hub.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "hub.css"), css.css);

const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");
copyFileSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk-frontend.min.js"));
copyFileSync(join(root, "frontend", "hub.mjs"), join(out, "hub.mjs"));
console.log(`Built ${out}`);
