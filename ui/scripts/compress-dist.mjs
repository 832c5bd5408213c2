// Runs after `vite build` (npm run build): writes a brotli (.br) and a gzip
// (.gz) twin next to every text file in dist/ that is worth compressing. The
// Go server (internal/httpapi/spa.go) sends a twin to clients whose
// Accept-Encoding allows it, so nothing is compressed per request.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dist = path.resolve(import.meta.dirname, '..', 'dist');
// Text formats only: images, fonts (woff2) and archives are compressed already.
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.svg', '.json', '.txt', '.map', '.xml', '.webmanifest']);
// Below this the framing overhead eats most of the gain.
const MIN_BYTES = 1024;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else yield full;
  }
}

let plain = 0;
let br = 0;
let gz = 0;
let count = 0;
for (const file of files(dist)) {
  if (!COMPRESSIBLE.has(path.extname(file))) continue;
  const data = readFileSync(file);
  if (data.length < MIN_BYTES) continue;
  const brotli = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_SIZE_HINT]: statSync(file).size,
    },
  });
  const gzip = gzipSync(data, { level: constants.Z_BEST_COMPRESSION });
  // A twin that is not smaller is useless: the server then sends the file itself.
  if (brotli.length < data.length) writeFileSync(`${file}.br`, brotli);
  if (gzip.length < data.length) writeFileSync(`${file}.gz`, gzip);
  plain += data.length;
  br += Math.min(brotli.length, data.length);
  gz += Math.min(gzip.length, data.length);
  count++;
}

const kB = (n) => `${(n / 1024).toFixed(1)} kB`;
console.log(`compress-dist: ${count} files, ${kB(plain)} → brotli ${kB(br)}, gzip ${kB(gz)}`);
