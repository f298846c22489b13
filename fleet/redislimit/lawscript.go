package redislimit

import (
	"strconv"
	"strings"
	"time"

	"github.com/octosend/octosend/ratelimit"
	"github.com/redis/go-redis/v9"
)

// The fleet's adaptive rate runs in Redis, on Redis time, by the law of
// package ratelimit (ratelimit.Law: the same numbers, which are written
// into the scripts' text, so the Go constants stay the only source). Two
// more keys per tenant, under its hash tag:
//
//	KEYS[3] <prefix>{<tenant>}:acc  the fleet's successes: a hash of the
//	        total n, and two marks (time ma, count mn; older pa, pn) taken
//	        about AcceptWindow apart, as ratelimit's tenant keeps them; id
//	        tells one life of the key from the next. Every reservation adds
//	        the successes its instance saw since its previous call (no
//	        round trip of its own) and moves the marks on. TTL EstimateTTL,
//	        renewed with each mark.
//	KEYS[4] <prefix>{<tenant>}:ctl  the last cut: est (the quota's
//	        estimate, 0 when it could not be measured), cut (time), c0 (the
//	        rate set), g0 (when growth starts: the cut, or the end of a
//	        pause), cn and aid (acc's n and id at the cut). TTL: until the
//	        law has brought the rate back to the configured one.
//
// From ctl the rate at any time is a closed form of the growth law (see
// rate_at), so a reservation computes the fleet's current rate in the
// script without anything written per request.

// lawLua is the Lua common to the scripts; ${NAME}s are the law's numbers.
const lawLua = `
local WIN = ${WIN}
local MINACC = ${MINACC}
local HOLD = ${HOLD}
local REFINE = ${REFINE}
local RBELOW = ${RBELOW}
local RMIN = ${RMIN}
local RSHARE = ${RSHARE}
local MDEC = ${MDEC}
local NEAR = ${NEAR}
local REGAIN = ${REGAIN}
local NEARG = ${NEARG}
local DOUBLING = ${DOUBLING}
local ESTTTL = ${ESTTTL}
local ESTOFF = ${ESTOFF}
local SHORT = ${SHORT}
local SHRINK = ${SHRINK}
local LN2 = math.log(2)

local function clock()
  local t = redis.call('TIME')
  return (tonumber(t[1]) - 1483228800) * 1000000 + tonumber(t[2])
end

local function num(x) return string.format('%.17g', x) end

-- rate_at: the rate since seconds after a cut to c0 against the estimate e
-- (0: none), growth starting dead seconds after the cut, increase inc, at
-- most r. The law's growth (ratelimit's tenant.go, growth) integrated:
-- below NEAR*e at max(inc, REGAIN*e) per s; then min(inc, NEARG*e*2^(t/DOUBLING))
-- until the estimate is forgotten (t > ESTTTL, or the rate > ESTOFF*e);
-- then inc.
local function rate_at(c0, e, inc, r, since, dead)
  local c, t = c0, math.max(0, math.min(dead, since))
  if e > 0 then
    local ttl = math.min(since, ESTTTL)
    if t < ttl and c < NEAR * e then
      local g = math.max(inc, REGAIN * e)
      local stop = math.min(ttl, t + (NEAR * e - c) / g)
      c, t = c + g * (stop - t), stop
    end
    local k = NEARG * e
    if t < ttl and c <= ESTOFF * e and inc > k * 2 ^ (t / DOUBLING) then
      local stop = math.min(ttl, DOUBLING * math.log(inc / k) / LN2)
      local a = k * DOUBLING / LN2
      local dc = a * (2 ^ (stop / DOUBLING) - 2 ^ (t / DOUBLING))
      if dc > ESTOFF * e - c then
        dc = ESTOFF * e - c
        stop = DOUBLING * math.log(2 ^ (t / DOUBLING) + dc / a) / LN2
      end
      c, t = c + dc, stop
    end
  end
  if since > t then c = c + inc * (since - t) end
  return math.min(c, r)
end

-- fleet: the fleet's rate at now by the cut stored in key, or r when none;
-- the estimate while it lasts (else 0); seconds since the cut (nil: none);
-- and the stored fields.
local function fleet(now, key, r, inc)
  local v = redis.call('HMGET', key, 'est', 'cut', 'c0', 'g0', 'cn', 'aid')
  local cut = tonumber(v[2])
  if not cut then return r, 0, nil, v end
  local e = tonumber(v[1])
  local since = (now - cut) / 1e6
  local rate = rate_at(tonumber(v[3]), e, inc, r, since, (tonumber(v[4]) - cut) / 1e6)
  if not (e > 0 and since <= ESTTTL and rate <= ESTOFF * e) then e = 0 end
  return rate, e, since, v
end

-- gcra: the emission interval and burst tolerance (µs) at rate of a tenant
-- configured at r with burst b: the burst scales with the rate, as the
-- local limiter scales it (setRateLocked).
local function gcra(rate, r, b, interval, tau)
  if rate >= r then return interval, tau end
  interval = 1e6 / rate
  return interval, interval * math.max(1, math.floor(b * rate / r + 0.5))
end

-- count adds n successes to the fleet's count in key and moves its marks
-- on (ratelimit's markLocked).
local function count(now, key, n)
  local ma = tonumber(redis.call('HGET', key, 'ma'))
  if not ma then
    redis.call('HSET', key, 'n', string.format('%d', n), 'ma', num(now), 'mn', '0', 'pa', num(now), 'pn', '0', 'id', num(now))
    redis.call('PEXPIRE', key, math.ceil(ESTTTL * 1000))
    return
  end
  if n > 0 then redis.call('HINCRBY', key, 'n', string.format('%d', n)) end
  if now - ma < WIN then return end
  local v = redis.call('HMGET', key, 'n', 'mn')
  if now - ma < 2 * WIN then
    redis.call('HSET', key, 'pa', num(ma), 'pn', v[2], 'ma', num(now), 'mn', v[1])
  else
    redis.call('HSET', key, 'pa', num(now), 'pn', v[1], 'ma', num(now), 'mn', v[1])
  end
  redis.call('PEXPIRE', key, math.ceil(ESTTTL * 1000))
end

-- window: the fleet's successes since the older mark of key, the span (µs)
-- they cover, and the total count and id of the key.
local function window(now, key)
  local v = redis.call('HMGET', key, 'n', 'pa', 'pn', 'id')
  local n = tonumber(v[1]) or 0
  return n - (tonumber(v[3]) or 0), now - (tonumber(v[2]) or now), n, v[4]
end

-- drain empties the bucket (KEYS[1]) at the time at (µs) but for one
-- token, at emission interval and burst tolerance tau (ratelimit's drain).
local function drain(now, at, interval, tau)
  local floor = at + tau - interval
  local tat = tonumber(redis.call('GET', KEYS[1]))
  if not tat or tat < floor then
    redis.call('SET', KEYS[1], string.format('%.3f', floor), 'PX', math.ceil((floor - now) / 1000) + 1000)
  end
end

-- pause extends the pause (KEYS[2]) to ms from now, empties the bucket at
-- its end but for one token, and starts the growth of a stored cut after it.
local function pause(now, ms, interval, tau)
  if redis.call('PTTL', KEYS[2]) < ms then
    redis.call('SET', KEYS[2], '1', 'PX', ms)
  end
  drain(now, now + ms * 1000, interval, tau)
  local g0 = tonumber(redis.call('HGET', KEYS[4], 'g0'))
  if g0 and g0 < now + ms * 1000 then
    redis.call('HSET', KEYS[4], 'g0', num(now + ms * 1000))
    redis.call('PEXPIRE', KEYS[4], redis.call('PTTL', KEYS[4]) + ms)
  end
end
`

// cutLua cuts the fleet's rate for a 429 of the tenant's spent quota, by
// the law (ratelimit's throttledLocked). ARGV: successes to count first,
// configured rate r (req/s; 0: unlimited, no cut), burst b, increase,
// MinRate, Decrease, pause ms if the API is starved (0: never pause),
// configured interval and tau (µs). It returns {starved (0/1), cut (0/1:
// 0 within DecreaseHold of the last cut, unless it refines that cut),
// estimate, rate}.
const cutLua = `
local now = clock()
count(now, KEYS[3], tonumber(ARGV[1]))
local r, b, inc = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local k, span, n, id = window(now, KEYS[3])
local starved = k < MINACC
local ok = span >= WIN and not starved
local acc = 0
if ok then acc = k / span * 1e6 end
local cut, est, nxt = 0, 0, r
if r > 0 then
  local cur, prev, since, v = fleet(now, KEYS[4], r, inc)
  local floor = math.min(tonumber(ARGV[5]), r)
  nxt = cur
  if not since or since * 1e6 >= HOLD then
    nxt = cur * tonumber(ARGV[6])
    if prev > 0 and v[6] == id and n - tonumber(v[5]) >= MINACC then
      acc, ok = (n - tonumber(v[5])) / since, true
    end
    if ok then
      est = math.min(acc, cur)
      if prev > 0 then
        est = math.max(est, prev / 2)
        if since < SHORT then est = math.min(est, prev) * SHRINK end
      end
      nxt = est * MDEC
    end
    nxt = math.max(nxt, floor)
    cut = 1
  else
    -- within the hold: a cut that did not reach below the quota is
    -- refined (ratelimit's refineLocked); the 429s since the cut count
    local k429 = redis.call('HINCRBY', KEYS[4], 'k', 1)
    local m = n - (tonumber(v[5]) or n)
    if since * 1e6 >= REFINE and v[6] == id and m >= MINACC and k429 >= RMIN and k429 >= RSHARE * m and m / since < RBELOW * cur then
      local e = m / since
      if prev > 0 then e = math.max(math.min(e, prev), prev / 2) end
      local x = math.max(e * MDEC, floor)
      if x < cur then est, nxt, cut = e, x, 1 end
    end
  end
  if cut == 1 then
    redis.call('HSET', KEYS[4], 'est', num(est), 'cut', num(now), 'c0', num(nxt), 'g0', num(now), 'cn', string.format('%d', n), 'aid', id, 'k', '0')
    local back = math.max(0, r - nxt) / inc
    redis.call('PEXPIRE', KEYS[4], math.ceil((ESTTTL + back + 1) * 1000))
    -- tokens saved up by slow senders would go out together (ratelimit's cutLocked)
    local ci, ct = gcra(nxt, r, b, tonumber(ARGV[8]), tonumber(ARGV[9]))
    drain(now, now, ci, ct)
  end
end
local ms = tonumber(ARGV[7])
if starved and ms > 0 then
  local interval, tau = tonumber(ARGV[8]), tonumber(ARGV[9])
  if r > 0 then interval, tau = gcra(nxt, r, b, interval, tau) end
  pause(now, ms, interval, tau)
end
return {starved and 1 or 0, cut, num(est), num(nxt)}
`

// stateLua reads the tenant's fleet state, changing nothing. ARGV:
// configured rate (0: unlimited), burst, increase. It returns {rate,
// estimate, seconds since the cut (-1: none), successes in the window, its
// span µs, pause ms left, burst}.
const stateLua = `
local now = clock()
local r, b, inc = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local rate, e, since = r, 0, nil
if r > 0 then rate, e, since = fleet(now, KEYS[4], r, inc) end
local k, span = window(now, KEYS[3])
local burst = b
if r > 0 and rate < r then burst = math.max(1, math.floor(b * rate / r + 0.5)) end
return {num(rate), num(e), num(since or -1), k, num(span), redis.call('PTTL', KEYS[2]), burst}
`

// scripts are a Limiter's Redis scripts, built from its law.
type scripts struct {
	reserve, pause, cut, state *redis.Script
}

func newScripts(law ratelimit.Law) *scripts {
	p := prelude(law)
	return &scripts{
		reserve: redis.NewScript(p + reserveLua),
		pause:   redis.NewScript(p + pauseLua),
		cut:     redis.NewScript(p + cutLua),
		state:   redis.NewScript(p + stateLua),
	}
}

// prelude is lawLua with law's numbers in it.
func prelude(law ratelimit.Law) string {
	us := func(d time.Duration) string { return strconv.FormatInt(d.Microseconds(), 10) }
	sec := func(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'g', -1, 64) }
	f := func(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
	return strings.NewReplacer(
		"${WIN}", us(law.AcceptWindow),
		"${MINACC}", strconv.Itoa(law.MinAccepted),
		"${HOLD}", us(law.DecreaseHold),
		"${REFINE}", us(law.RefineAfter),
		"${RBELOW}", f(law.RefineBelow),
		"${RMIN}", strconv.Itoa(law.RefineMin429s),
		"${RSHARE}", f(law.RefineShare),
		"${MDEC}", f(law.MeasuredDecrease),
		"${NEAR}", f(law.NearQuota),
		"${REGAIN}", f(law.RegainGrowth),
		"${NEARG}", f(law.NearQuotaGrowth),
		"${DOUBLING}", sec(law.ProbeDoubling),
		"${ESTTTL}", sec(law.EstimateTTL),
		"${ESTOFF}", f(law.EstimateOff),
		"${SHORT}", sec(law.ShortCycle),
		"${SHRINK}", f(law.ShortCycleShrink),
	).Replace(lawLua)
}
