#!lua name=kcr
-- KubeCodeRun lease registry: one Lua library, loaded as a Redis function library "kcr".
-- Every key of one language shares the hash tag {pool:<lang>}; deadlines come from TIME, never from clients.
-- Keys per language (prefix P = "<prefix>{pool:<lang>}:"):
--   P..'idle'      LIST  names of idle pods, oldest offer first
--   P..'pod'       HASH  name -> encoded PodRef (language \t name \t uid \t ip \t port)
--   P..'state'     HASH  name -> 'idle' | 'leased:<leaseId>' | 'done'
--   P..'lease'     HASH  leaseId -> name
--   P..'deadline'  ZSET  leaseId scored by deadline (ms)
--   P..'waiters'   ZSET  waiterId scored by arrival (ms)
--   P..'waiter'    HASH  waiterId -> '<deadline> <ttl>'
--   P..'mbox:'..id LIST  the lease handed to a waiter: '<leaseId>\t<deadline>\t<encoded pod>'
--   P..'done'      LIST  names of released or expired pods to delete
--   P..'stats'     HASH  counters
--   P..'epoch'     STRING newest controller epoch seen for the language

local MAILBOX_TTL_MS = 60000 -- a mailbox outlives any wait; it expires if its waiter died

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function grant(p, name, lease_id, deadline)
  redis.call('HSET', p .. 'state', name, 'leased:' .. lease_id)
  redis.call('HSET', p .. 'lease', lease_id, name)
  redis.call('ZADD', p .. 'deadline', deadline, lease_id)
end

-- hand(p, name, encoded, waiter, now, channel) -> true when the waiter was live and got the pod
local function hand(p, name, encoded, waiter, now, channel)
  local info = redis.call('HGET', p .. 'waiter', waiter)
  redis.call('ZREM', p .. 'waiters', waiter)
  redis.call('HDEL', p .. 'waiter', waiter)
  if not info then return false end
  local deadline, ttl = string.match(info, '^(%d+) (%d+)$')
  if tonumber(deadline) <= now then return false end
  local lease_deadline = now + tonumber(ttl)
  grant(p, name, waiter, lease_deadline)
  local mbox = p .. 'mbox:' .. waiter
  redis.call('RPUSH', mbox, waiter .. '\t' .. lease_deadline .. '\t' .. encoded)
  redis.call('PEXPIRE', mbox, MAILBOX_TTL_MS)
  redis.call('HINCRBY', p .. 'stats', 'wait_hits', 1)
  redis.call('PUBLISH', channel, 'leased ' .. name)
  return true
end

-- offer(keys: P) args: name, encoded, epoch, target waiter ('' for none), channel
redis.register_function('kcr_offer', function(keys, args)
  local p, name, encoded, epoch, target, channel = keys[1], args[1], args[2], tonumber(args[3]), args[4], args[5]
  local current = tonumber(redis.call('GET', p .. 'epoch') or '0')
  if epoch < current then return 'STALE_EPOCH' end
  if epoch > current then redis.call('SET', p .. 'epoch', epoch) end
  if redis.call('HEXISTS', p .. 'state', name) == 1 then return 'ALREADY_KNOWN' end
  redis.call('HSET', p .. 'pod', name, encoded)
  redis.call('HINCRBY', p .. 'stats', 'offers', 1)
  local now = now_ms()
  if target ~= '' and redis.call('HEXISTS', p .. 'waiter', target) == 1 then
    if hand(p, name, encoded, target, now, channel) then return 'HANDED_TO_WAITER' end
  end
  while true do
    local oldest = redis.call('ZRANGE', p .. 'waiters', 0, 0)
    if #oldest == 0 then break end
    if hand(p, name, encoded, oldest[1], now, channel) then return 'HANDED_TO_WAITER' end
  end
  redis.call('HSET', p .. 'state', name, 'idle')
  redis.call('RPUSH', p .. 'idle', name)
  return 'IDLE'
end)

-- acquire(keys: P) args: lease id (also the waiter id), ttl ms, wait ms, channel
-- -> outcome (HIT | WAIT | MISS), the encoded pod (HIT), the deadline (the lease's, or the waiter's)
local function acquire(keys, args)
  local p, lease_id, ttl, wait, channel = keys[1], args[1], tonumber(args[2]), tonumber(args[3]), args[4]
  local now = now_ms()
  while true do
    local name = redis.call('LPOP', p .. 'idle')
    if not name then break end
    if redis.call('HGET', p .. 'state', name) == 'idle' then
      local deadline = now + ttl
      grant(p, name, lease_id, deadline)
      redis.call('HINCRBY', p .. 'stats', 'hits', 1)
      redis.call('PUBLISH', channel, 'leased ' .. name)
      return 'HIT', redis.call('HGET', p .. 'pod', name), tostring(deadline)
    end
  end
  if wait > 0 then
    redis.call('ZADD', p .. 'waiters', now, lease_id)
    redis.call('HSET', p .. 'waiter', lease_id, (now + wait) .. ' ' .. ttl)
    -- The waiter's deadline on this clock (a Job request carries it).
    return 'WAIT', nil, tostring(now + wait)
  end
  redis.call('HINCRBY', p .. 'stats', 'misses', 1)
  return 'MISS'
end

-- acquire: the positional answer of replicas from before kcr_lease ({'HIT', pod, deadline} | {'WAIT', deadline}
-- | {'MISS'}; older ones read the first field of WAIT only).
redis.register_function('kcr_acquire', function(keys, args)
  local outcome, pod, deadline = acquire(keys, args)
  if outcome == 'HIT' then return {outcome, pod, deadline} end
  if outcome == 'WAIT' then return {outcome, deadline} end
  return {outcome}
end)

-- lease(keys: P) args: lease id, ttl ms, max wait ms, events channel -> {'outcome', HIT|WAIT|MISS, 'pod', encoded
-- pod (HIT), 'deadline', ms on this clock (the lease's with HIT, the waiter's with WAIT)}
redis.register_function('kcr_lease', function(keys, args)
  local outcome, pod, deadline = acquire(keys, args)
  if outcome == 'HIT' then return {'outcome', outcome, 'pod', pod, 'deadline', deadline} end
  if outcome == 'WAIT' then return {'outcome', outcome, 'deadline', deadline} end
  return {'outcome', outcome}
end)

local function cancel(keys, args)
  local p, waiter = keys[1], args[1]
  if redis.call('ZREM', p .. 'waiters', waiter) == 1 then
    redis.call('HDEL', p .. 'waiter', waiter)
    redis.call('HINCRBY', p .. 'stats', 'misses', 1)
    return 'MISS'
  end
  local got = redis.call('LPOP', p .. 'mbox:' .. waiter)
  if got then return 'WAIT_HIT', got end
  return 'MISS'
end

-- cancel(keys: P) args: waiter id -> {'MISS'} | {'WAIT_HIT', mailbox entry}: for replicas from before kcr_stop_waiting
redis.register_function('kcr_cancel', function(keys, args)
  local outcome, entry = cancel(keys, args)
  if entry then return {outcome, entry} end
  return {outcome}
end)

-- stop_waiting(keys: P) args: waiter id -> {'outcome', MISS | WAIT_HIT, 'mailbox', entry (WAIT_HIT)}: a waiter
-- that gives up either gets the pod offered meanwhile or leaves nothing behind.
redis.register_function('kcr_stop_waiting', function(keys, args)
  local outcome, entry = cancel(keys, args)
  if entry then return {'outcome', outcome, 'mailbox', entry} end
  return {'outcome', outcome}
end)

-- extend(keys: P) args: lease id, pod name, ttl ms -> new deadline or 0
redis.register_function('kcr_extend', function(keys, args)
  local p, lease_id, name, ttl = keys[1], args[1], args[2], tonumber(args[3])
  local deadline = redis.call('ZSCORE', p .. 'deadline', lease_id)
  local now = now_ms()
  if not deadline or tonumber(deadline) <= now then return 0 end
  if redis.call('HGET', p .. 'lease', lease_id) ~= name then return 0 end
  redis.call('ZADD', p .. 'deadline', now + ttl, lease_id)
  return now + ttl
end)

local function end_lease(p, lease_id, name)
  redis.call('HDEL', p .. 'lease', lease_id)
  redis.call('ZREM', p .. 'deadline', lease_id)
  redis.call('HSET', p .. 'state', name, 'done')
  redis.call('RPUSH', p .. 'done', name)
end

-- release(keys: P) args: lease id, pod name, channel (optional: older callers pass none) -> 1 | 0
redis.register_function('kcr_release', function(keys, args)
  local p, lease_id, name, channel = keys[1], args[1], args[2], args[3]
  if redis.call('HGET', p .. 'lease', lease_id) ~= name then return 0 end
  end_lease(p, lease_id, name)
  if channel then redis.call('PUBLISH', channel, 'released ' .. name) end
  return 1
end)

-- reap(keys: P) -> encoded pods whose lease expired
redis.register_function('kcr_reap', function(keys, args)
  local p = keys[1]
  local expired = redis.call('ZRANGEBYSCORE', p .. 'deadline', '-inf', now_ms())
  local out = {}
  for _, lease_id in ipairs(expired) do
    local name = redis.call('HGET', p .. 'lease', lease_id)
    if name then
      end_lease(p, lease_id, name)
      redis.call('HINCRBY', p .. 'stats', 'expired', 1)
      table.insert(out, redis.call('HGET', p .. 'pod', name))
    else
      redis.call('ZREM', p .. 'deadline', lease_id)
    end
  end
  return out
end)

-- drain(keys: P) args: max -> encoded pods taken from done and forgotten
redis.register_function('kcr_drain', function(keys, args)
  local p, max = keys[1], tonumber(args[1])
  local out = {}
  while #out < max do
    local name = redis.call('LPOP', p .. 'done')
    if not name then break end
    local encoded = redis.call('HGET', p .. 'pod', name)
    redis.call('HDEL', p .. 'pod', name)
    redis.call('HDEL', p .. 'state', name)
    if encoded then table.insert(out, encoded) end
  end
  return out
end)

-- withdraw(keys: P) args: name, uid -> 1 when the pod was idle and is now forgotten, 0 otherwise
redis.register_function('kcr_withdraw', function(keys, args)
  local p, name, uid = keys[1], args[1], args[2]
  local encoded = redis.call('HGET', p .. 'pod', name)
  if not encoded then return 0 end
  if string.match(encoded, '^[^\t]*\t[^\t]*\t([^\t]*)\t') ~= uid then return 0 end
  if redis.call('HGET', p .. 'state', name) ~= 'idle' then return 0 end
  redis.call('HDEL', p .. 'pod', name)
  redis.call('HDEL', p .. 'state', name)
  redis.call('LREM', p .. 'idle', 0, name)
  return 1
end)

-- forget(keys: P) args: name, uid -> 1 when something was removed
redis.register_function('kcr_forget', function(keys, args)
  local p, name, uid = keys[1], args[1], args[2]
  local encoded = redis.call('HGET', p .. 'pod', name)
  if not encoded then return 0 end
  local stored_uid = string.match(encoded, '^[^\t]*\t[^\t]*\t([^\t]*)\t')
  if stored_uid ~= uid then return 0 end
  local state = redis.call('HGET', p .. 'state', name)
  if state and string.sub(state, 1, 7) == 'leased:' then
    local lease_id = string.sub(state, 8)
    redis.call('HDEL', p .. 'lease', lease_id)
    redis.call('ZREM', p .. 'deadline', lease_id)
  end
  redis.call('HDEL', p .. 'pod', name)
  redis.call('HDEL', p .. 'state', name)
  redis.call('LREM', p .. 'idle', 0, name)
  redis.call('LREM', p .. 'done', 0, name)
  return 1
end)

-- stats(keys: P) -> {idle, leased, waiters, done, hits, wait_hits, misses, offers, expired, target, starting,
--                     pods_created, pods_deleted, cold_starts, {bucket, count, ...} of acquisition times}
redis.register_function{function_name = 'kcr_stats', flags = {'no-writes'}, callback = function(keys, args)
  local p = keys[1]
  local function counter(field) return tonumber(redis.call('HGET', p .. 'stats', field) or '0') end
  local function gauge(field) return tonumber(redis.call('HGET', p .. 'stats', field) or '-1') end
  return {redis.call('LLEN', p .. 'idle'), redis.call('HLEN', p .. 'lease'), redis.call('ZCARD', p .. 'waiters'),
          redis.call('LLEN', p .. 'done'), counter('hits'), counter('wait_hits'), counter('misses'),
          counter('offers'), counter('expired'), gauge('target'), gauge('starting'), counter('pods_created'),
          counter('pods_deleted'), counter('cold_starts'), redis.call('HGETALL', p .. 'acquire_us')}
end}

-- pool_stats(keys: P) -> {name, value, ...}: what kcr_stats answers, by name (kcr_stats stays for older replicas);
-- acquire_us is the flat HGETALL of the histogram.
redis.register_function{function_name = 'kcr_pool_stats', flags = {'no-writes'}, callback = function(keys, args)
  local p = keys[1]
  local function counter(field) return tonumber(redis.call('HGET', p .. 'stats', field) or '0') end
  local function gauge(field) return tonumber(redis.call('HGET', p .. 'stats', field) or '-1') end
  return {'idle', redis.call('LLEN', p .. 'idle'), 'leased', redis.call('HLEN', p .. 'lease'),
          'waiters', redis.call('ZCARD', p .. 'waiters'), 'done', redis.call('LLEN', p .. 'done'),
          'hits', counter('hits'), 'wait_hits', counter('wait_hits'), 'misses', counter('misses'),
          'offers', counter('offers'), 'expired', counter('expired'), 'target', gauge('target'),
          'starting', gauge('starting'), 'pods_created', counter('pods_created'),
          'pods_deleted', counter('pods_deleted'), 'cold_starts', counter('cold_starts'),
          'acquire_us', redis.call('HGETALL', p .. 'acquire_us')}
end}

-- report(keys: P; args: target, starting, created, deleted, cold_starts): the leading controller's view of a pool
-- after a pass; gauges replaced, counts added.
redis.register_function('kcr_report', function(keys, args)
  local s = keys[1] .. 'stats'
  redis.call('HSET', s, 'target', args[1], 'starting', args[2])
  redis.call('HINCRBY', s, 'pods_created', args[3])
  redis.call('HINCRBY', s, 'pods_deleted', args[4])
  redis.call('HINCRBY', s, 'cold_starts', args[5])
  return 1
end)
