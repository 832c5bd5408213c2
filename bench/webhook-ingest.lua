-- wrk script: POSTs Klarna-style webhook deliveries to /webhooks/klarna,
-- each with a unique event id, signed as Klarna signs them:
-- Klarna-Signature = lowercase hex HMAC-SHA256(signing key, raw body).
--
--   PD_SIGNING_KEY_ID=kid PD_SIGNING_KEY=secret \
--     wrk -t2 -c32 -d20s --latency -s bench/webhook-ingest.lua http://127.0.0.1:8080
--
-- wrk's LuaJIT has no HMAC, so SHA-256 is implemented below with the `bit`
-- library (FIPS 180-4); a known-answer check runs before any request.

local bit = require("bit")
local band, bor, bxor, bnot = bit.band, bit.bor, bit.bxor, bit.bnot
local rshift, lshift, ror, tobit, tohex = bit.rshift, bit.lshift, bit.ror, bit.tobit, bit.tohex
local byte, char, rep, floor = string.byte, string.char, string.rep, math.floor

-- Round constants and initial hash: the first 32 bits of the fractional
-- parts of the cube roots of the first 64 primes and of the square roots
-- of the first 8 primes, computed here rather than typed.
local function primes(n)
  local out, c = {}, 2
  while #out < n do
    local isp = true
    for _, p in ipairs(out) do
      if p * p > c then break end
      if c % p == 0 then isp = false break end
    end
    if isp then out[#out + 1] = c end
    c = c + 1
  end
  return out
end
local function fracbits(x) return tobit(floor((x - floor(x)) * 4294967296)) end
local function root(p, k) -- k-th root, refined by Newton steps
  local r = p ^ (1 / k)
  for _ = 1, 3 do r = r - (r ^ k - p) / (k * r ^ (k - 1)) end
  return r
end
local K, H0 = {}, {}
for i, p in ipairs(primes(64)) do
  K[i] = fracbits(root(p, 3))
  if i <= 8 then H0[i] = fracbits(root(p, 2)) end
end

local function be32(x) -- big-endian bytes of a 32-bit value
  return char(band(rshift(x, 24), 255), band(rshift(x, 16), 255), band(rshift(x, 8), 255), band(x, 255))
end

local w = {}
local function block(msg, i, H)
  for j = 1, 16 do
    local a, b, c, d = byte(msg, i + (j - 1) * 4, i + (j - 1) * 4 + 3)
    w[j] = bor(lshift(a, 24), lshift(b, 16), lshift(c, 8), d)
  end
  for j = 17, 64 do
    local x, y = w[j - 15], w[j - 2]
    local s0 = bxor(ror(x, 7), ror(x, 18), rshift(x, 3))
    local s1 = bxor(ror(y, 17), ror(y, 19), rshift(y, 10))
    w[j] = tobit(w[j - 16] + s0 + w[j - 7] + s1)
  end
  local a, b, c, d, e, f, g, h = H[1], H[2], H[3], H[4], H[5], H[6], H[7], H[8]
  for j = 1, 64 do
    local S1 = bxor(ror(e, 6), ror(e, 11), ror(e, 25))
    local ch = bxor(band(e, f), band(bnot(e), g))
    local t1 = tobit(h + S1 + ch + K[j] + w[j])
    local S0 = bxor(ror(a, 2), ror(a, 13), ror(a, 22))
    local maj = bxor(band(a, b), band(a, c), band(b, c))
    h, g, f, e, d, c, b, a = g, f, e, tobit(d + t1), c, b, a, tobit(t1 + S0 + maj)
  end
  H[1], H[2], H[3], H[4] = tobit(H[1] + a), tobit(H[2] + b), tobit(H[3] + c), tobit(H[4] + d)
  H[5], H[6], H[7], H[8] = tobit(H[5] + e), tobit(H[6] + f), tobit(H[7] + g), tobit(H[8] + h)
end

local function sha256(msg) -- raw 32-byte digest
  local bits = #msg * 8
  local pad = (55 - #msg) % 64
  msg = msg .. "\128" .. rep("\0", pad) .. be32(floor(bits / 4294967296)) .. be32(bits % 4294967296)
  local H = { H0[1], H0[2], H0[3], H0[4], H0[5], H0[6], H0[7], H0[8] }
  for i = 1, #msg, 64 do block(msg, i, H) end
  local out = {}
  for i = 1, 8 do out[i] = be32(H[i]) end
  return table.concat(out)
end

local function xorpad(key, v)
  local out = {}
  for i = 1, 64 do out[i] = char(bxor(byte(key, i) or 0, v)) end
  return table.concat(out)
end

local function hmac_hex(key, msg)
  if #key > 64 then key = sha256(key) end
  local d = sha256(xorpad(key, 0x5c) .. sha256(xorpad(key, 0x36) .. msg))
  local out = {}
  for i = 1, 32 do out[i] = tohex(byte(d, i), 2) end
  return table.concat(out)
end

-- Known answers (computed with Go's crypto/hmac): refuse to run if wrong.
local function hex(raw) local o = {} for i = 1, #raw do o[i] = tohex(byte(raw, i), 2) end return table.concat(o) end
assert(hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 self-test failed")
assert(hmac_hex("bench-secret", rep("partner desk ", 23)) == "2d8081a2ab9e8d8691ccfd9303545defe4e725964c79a9798d92f4b8f104fcd7", "hmac self-test failed")

local keyID = os.getenv("PD_SIGNING_KEY_ID") or error("set PD_SIGNING_KEY_ID")
local secret = os.getenv("PD_SIGNING_KEY") or error("set PD_SIGNING_KEY")

local threads = {}
function setup(thread)
  thread:set("tid", #threads + 1)
  threads[#threads + 1] = thread
end

local prefix, n = "", 0
function init(args)
  prefix = string.format("wrk-%x-%d", os.time(), tid or 0)
end

function request()
  n = n + 1
  local id = prefix .. "-" .. n
  local body = '{"metadata":{"event_id":"' .. id .. '","event_type":"settlement.report.created","event_version":"v1",'
    .. '"occurred_at":"2026-02-01T03:00:00Z","subject_account_id":"krn:partner:global:account:test:ACQ00001",'
    .. '"recipient_account_id":"krn:partner:global:account:test:ACQ00001","webhook_id":"krn:partner:global:notification:webhook:bench",'
    .. '"live":false},"payload":{"payment_reference":"' .. id .. '"}}'
  return wrk.format("POST", "/webhooks/klarna", {
    ["Content-Type"] = "application/json",
    ["Klarna-Signing-Key-Id"] = keyID,
    ["Klarna-Signature"] = hmac_hex(secret, body),
  }, body)
end

function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format("acknowledged: %d requests in %.1fs = %.0f events/s; non-2xx: %d; socket errors: %d\n",
    summary.requests - summary.errors.status, s, (summary.requests - summary.errors.status) / s,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
  io.write(string.format("latency ms: p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f\n",
    latency:percentile(50) / 1e3, latency:percentile(90) / 1e3, latency:percentile(99) / 1e3, latency:percentile(99.9) / 1e3, latency.max / 1e3))
end
