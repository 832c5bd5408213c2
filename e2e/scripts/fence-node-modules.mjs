// Some npm packages ship .go files (flatted does). node_modules sits inside the
// Go module, so `go build ./...` and `go vet ./...` would pick them up. A go.mod
// in node_modules makes it a separate module that the parent module ignores.
import { existsSync, writeFileSync } from 'node:fs';

if (existsSync('node_modules')) {
  writeFileSync(
    'node_modules/go.mod',
    '// Written by e2e/scripts/fence-node-modules.mjs: keeps this folder out of the Partner Desk Go module.\nmodule partnerdesk.invalid/node_modules\n',
  );
}
