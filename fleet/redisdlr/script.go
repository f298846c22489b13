package redisdlr

import "github.com/redis/go-redis/v9"

// The Lua scripts. Each runs atomically in Redis, which is what makes the
// store's methods atomic across a fleet. Entry hash fields: sub, chat, n
// (sends), max (MaxCopies), acc, amb, at (first send, ms), chg (last
// change, ms), rc (receipts), cs (copies so far), rep (reported verdict),
// and one "c:<umid>" per copy whose value is
//
//	rank|delivered|failed|timestamp µs|seq|code|lookedUp|state US detail
//
// (US is the byte 0x1f). The scripts read only the first four numbers:
// Copy.Merge's rule, on ranks computed in Go. Expiry is relative (PEXPIRE),
// so it does not depend on instances' clocks agreeing with Redis's; due
// times are the callers' clocks.

// recordScript merges a send. KEYS: entry, due. ARGV: cmid, sub, chat,
// maxCopies, accepted, ambiguous, at ms, umid, ttl ms, linger ms.
var recordScript = redis.NewScript(`
local e, due = KEYS[1], KEYS[2]
local at, ttl, linger = tonumber(ARGV[7]), tonumber(ARGV[9]), tonumber(ARGV[10])
redis.call('ZREMRANGEBYSCORE', due, '-inf', '(' .. (at - ttl - linger))
local fresh = redis.call('EXISTS', e) == 0
local n = redis.call('HINCRBY', e, 'n', 1)
local rep = tonumber(redis.call('HGET', e, 'rep') or '0')
if n == 1 then
  redis.call('HSET', e, 'at', at)
  if not redis.call('HGET', e, 'chg') then redis.call('HSET', e, 'chg', at) end
end
redis.call('HSET', e, 'sub', ARGV[2], 'chat', ARGV[3])
redis.call('HINCRBY', e, 'max', ARGV[4])
if ARGV[5] == '1' then redis.call('HSET', e, 'acc', '1') end
if ARGV[6] == '1' then redis.call('HSET', e, 'amb', '1') end
if ARGV[8] ~= '' then
  local f = 'c:' .. ARGV[8]
  if redis.call('HEXISTS', e, f) == 0 then
    local seq = redis.call('HINCRBY', e, 'cs', 1)
    redis.call('HSET', e, f, '-1|0|0|0|' .. seq .. '|0|0|')
    redis.call('HSET', e, 'chg', at)
  end
end
local d = at + ttl
if n == 1 and not fresh then
  d = at -- an orphan: its receipts came first and may all be in; due at the next sweep
end
if rep ~= 0 then
  redis.call('HSET', e, 'rep', '0')
  redis.call('ZADD', due, d, ARGV[1])
else
  redis.call('ZADD', due, 'LT', d, ARGV[1])
end
if fresh or rep ~= 0 then
  redis.call('PEXPIRE', e, ttl + linger)
else
  redis.call('PEXPIRE', e, ttl + linger, 'GT')
end
return 1
`)

// receiptScript merges a receipt's copy. KEYS: entry, due. ARGV: cmid,
// sub, chat, umid, rank, delivered, failed, ts µs, rest
// (code|lookedUp|state US detail), now ms, orphan due ms, ttl ms, linger
// ms. It returns {changed, due score or nil, HGETALL}.
var receiptScript = redis.NewScript(`
local e, due = KEYS[1], KEYS[2]
local now = tonumber(ARGV[10])
local f = 'c:' .. ARGV[4]
local head = ARGV[5] .. '|' .. ARGV[6] .. '|' .. ARGV[7] .. '|' .. ARGV[8] .. '|'
local changed = 0
if redis.call('EXISTS', e) == 0 then
  redis.call('HSET', e, 'sub', ARGV[2], 'chat', ARGV[3], 'n', 0, 'max', 0, 'at', now, 'chg', now,
    'rc', 1, 'cs', 1, f, head .. '1|' .. ARGV[9])
  redis.call('ZADD', due, ARGV[11], ARGV[1])
  redis.call('PEXPIRE', e, tonumber(ARGV[12]) + tonumber(ARGV[13]))
  changed = 1
else
  redis.call('HINCRBY', e, 'rc', 1)
  local old = redis.call('HGET', e, f)
  if not old then
    local seq = redis.call('HINCRBY', e, 'cs', 1)
    redis.call('HSET', e, f, head .. seq .. '|' .. ARGV[9])
    changed = 1
  else
    local orank, odel, ofail, ots, oseq = string.match(old, '^(-?%d+)|(%d)|(%d)|(-?%d+)|(%d+)|')
    orank, ots = tonumber(orank), tonumber(ots)
    local nr, nts = tonumber(ARGV[5]), tonumber(ARGV[8])
    local take = false
    if nr >= 0 then
      if orank < 0 then
        take = true
      elseif orank >= 3 and odel == '1' and ARGV[7] == '1' then
        take = false
      elseif nr > orank or (nr == orank and nts > ots) then
        take = true
      end
    end
    if take then
      redis.call('HSET', e, f, head .. oseq .. '|' .. ARGV[9])
      changed = 1
    end
  end
  if changed == 1 then redis.call('HSET', e, 'chg', now) end
end
return {changed, redis.call('ZSCORE', due, ARGV[1]), redis.call('HGETALL', e)}
`)

// dueScript takes due entries. KEYS: due. ARGV: now ms, lease ms, max,
// entry key prefix, trim-before ms. It returns {cmid, due, HGETALL, ...}.
var dueScript = redis.NewScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[5])
local ms = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
local out = {}
local nd = tonumber(ARGV[1]) + tonumber(ARGV[2])
for _, m in ipairs(ms) do
  local h = redis.call('HGETALL', ARGV[4] .. m)
  if #h == 0 then
    redis.call('ZREM', KEYS[1], m)
  else
    redis.call('ZADD', KEYS[1], nd, m)
    out[#out + 1] = m
    out[#out + 1] = nd
    out[#out + 1] = h
  end
end
return out
`)

// resolveScript is Store.Resolve's compare-and-set. KEYS: entry, due.
// ARGV: cmid, prev, verdict, linger ms.
var resolveScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local rep = tonumber(redis.call('HGET', KEYS[1], 'rep') or '0')
if rep ~= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'rep', ARGV[3])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
`)
