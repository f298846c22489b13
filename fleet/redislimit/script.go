package redislimit

import "github.com/redis/go-redis/v9"

// The fleet-wide limiter is GCRA (the generic cell rate algorithm) in Lua,
// not github.com/go-redis/redis_rate, because redis_rate does not fit:
//
//   - it answers "allowed or retry after d" and never reserves, so N waiting
//     senders all poll Redis again after d and race for the same slot; Wait
//     here reserves a slot in one round trip and then sleeps on the injected
//     clock, in arrival order;
//   - it has no maximum wait, so a wait that cannot fit the caller's
//     deadline cannot be refused without taking the slot;
//   - its rates are integers per period, while the adaptive rate is
//     fractional, and computed in the same script (lawscript.go);
//   - it knows nothing of pauses, and a second key would cost a second round
//     trip.
//
// Times are Redis server time (TIME), in microseconds since 2017-01-01 so a
// double holds them to a sixteenth of a microsecond: every sender of the
// fleet agrees on the clock, whatever the skew between their hosts. The
// caller passes durations, never instants.
//
// Keys (one hash tag per tenant, so all live in one Redis Cluster slot):
//
//	KEYS[1] <prefix>{<tenant>}:tat    theoretical arrival time (µs, decimal)
//	KEYS[2] <prefix>{<tenant>}:pause  exists while the tenant is paused; its PTTL is the time left
//	KEYS[3], KEYS[4]: the fleet's accepted rate and its last cut (lawscript.go)

// reserveLua reserves one slot. ARGV: configured emission interval (µs),
// burst tolerance (µs, interval × burst), longest acceptable wait (µs;
// negative: no limit), debt (requests granted on the local fallback while
// Redis was unreachable: once a slot is reserved, the tat moves on by as
// many intervals, so the slots after it pay for them), successes this
// instance saw since its last call (added to the fleet's count, see
// lawscript.go), configured rate (req/s; 0: unlimited, or no fleet law),
// burst, increase (req/s per s). Below the configured rate (a cut stored in
// KEYS[4]) the interval and tolerance are the fleet's current rate's. It
// returns {reserved (0/1), wait µs, paused (0/1), new tat, interval µs}. A
// wait above the limit reserves nothing and charges no debt.
const reserveLua = `
local now = clock()
count(now, KEYS[3], tonumber(ARGV[5]))
local interval = tonumber(ARGV[1])
local tau = tonumber(ARGV[2])
local maxwait = tonumber(ARGV[3])
local r = tonumber(ARGV[6])
if r > 0 then
  local rate = fleet(now, KEYS[4], r, tonumber(ARGV[8]))
  interval, tau = gcra(rate, r, tonumber(ARGV[7]), interval, tau)
end

local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat or tat < now then tat = now end
local newtat = tat + interval
local wait = newtat - tau - now
if wait < 0 then wait = 0 end

local paused = 0
local pttl = redis.call('PTTL', KEYS[2])
if pttl > 0 then
  paused = 1
  if pttl * 1000 > wait then wait = pttl * 1000 end
end

if maxwait >= 0 and wait > maxwait then
  return {0, math.floor(wait), paused, '', ''}
end
local debt = tonumber(ARGV[4]) or 0
local stored = newtat + debt * interval
local s = string.format('%.3f', stored)
redis.call('SET', KEYS[1], s, 'PX', math.ceil((stored - now) / 1000) + 1000)
return {1, math.ceil(wait), paused, s, string.format('%.3f', interval)}
`

// pauseLua extends the tenant's pause to ARGV[1] ms from now (never
// shortens it) and empties the bucket at the pause's end, leaving one token,
// as the local Limiter does; a stored cut grows only from the pause's end.
// ARGV: pause ms, configured emission interval (µs), burst tolerance (µs),
// configured rate (0: unlimited or no fleet law), burst, increase.
const pauseLua = `
local now = clock()
local interval, tau = tonumber(ARGV[2]), tonumber(ARGV[3])
local r = tonumber(ARGV[4])
if r > 0 then
  local rate = fleet(now, KEYS[4], r, tonumber(ARGV[6]))
  interval, tau = gcra(rate, r, tonumber(ARGV[5]), interval, tau)
end
pause(now, tonumber(ARGV[1]), interval, tau)
return 1
`

// refundScript gives back a reserved slot whose wait was abandoned, if no
// later slot has been reserved since (ARGV[1] is the tat the reservation
// set, ARGV[2] the emission interval in µs).
var refundScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], string.format('%.3f', tonumber(ARGV[1]) - tonumber(ARGV[2])), 'KEEPTTL')
  return 1
end
return 0
`)
