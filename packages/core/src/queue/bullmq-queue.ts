import { type ConnectionOptions, isRedisInstance, type RedisClient, RedisConnection } from "bullmq";
import { currentLeaseOwner, isLeaseOwnerDead, LEASE_HOLDER_DIED_ERROR } from "./lease-owner.js";
import type {
  ChangeInput,
  ChangeKind,
  ChangeQueue,
  ClaimOptions,
  DeadLetter,
  QueuedChange,
  QueueStats,
} from "./types.js";
import {
  DEFAULT_DEAD_LETTER_LIMIT,
  encodePayload,
  LEASE_EXPIRED_ERROR,
  normaliseChanges,
  validateClaimOptions,
  validateFailOptions,
  validateLeaseMs,
} from "./validate.js";

/** Options for {@link openBullMqQueue}. */
export interface BullMqQueueOptions {
  /** Redis connection: ioredis options (`{ host, port }`), or an existing client to share. */
  connection: ConnectionOptions;
  /** Queue name; queues with different names on one Redis are independent. Default `neuroon-changes`. */
  name?: string;
  /** Key prefix, as in BullMQ. Default `bull`. */
  prefix?: string;
  /**
   * Clock in epoch ms. Default: the Redis server's clock, read inside each script, so workers on
   * machines with skewed clocks still agree on when a lease or a retry delay has run out.
   */
  now?: () => number;
  /** Connection errors BullMQ emits between calls (calls themselves reject). Default: ignored. */
  onError?: (error: Error) => void;
}

/** Default queue name of {@link BullMqChangeQueue}. */
export const DEFAULT_BULLMQ_QUEUE_NAME = "neuroon-changes";

// Shared by every script. Key layout under B = "<prefix>:{<name>}:changes" (the braces are a
// Redis Cluster hash tag, so every key of one queue lives in one slot and scripts stay atomic):
//   B:seq            INCR counter for change ids (ids are never reused)
//   B:c:<id>         hash: lane key kind [payload] [origin] attempts coalesced first last avail
//                    [lastError] and, for dead letters, failedAt reason
//   B:keys           hash "<lane>\n<key>" -> id of the one not-in-flight change for that key
//   B:ready:<kind>   zset id (score id): claimable now, oldest first
//   B:delayed        zset id (score available-at ms): waiting for a retry delay
//   B:leased         zset id (score lease-until ms): in flight
//   B:dead           zset id (score failed-at ms): dead letters
//   B:last           zset id (score last-enqueued ms): every change not dead (pending, delayed,
//                    in flight), so lastEnqueuedAt() is one ZREVRANGE; upsert keeps it current
// Scripts get B as KEYS[1] and compute the rest, as BullMQ's own scripts do.
const LUA_PRELUDE = `
local B = KEYS[1]
local function clock(arg)
  if arg ~= '' then return tonumber(arg) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function ckey(id) return B .. ':c:' .. id end
local function read(id)
  local flat = redis.call('HGETALL', ckey(id))
  if #flat == 0 then return nil end
  local row = {}
  for i = 1, #flat, 2 do row[flat[i]] = flat[i + 1] end
  row.id = id
  return row
end
local function schedule(id, kind, avail, now)
  redis.call('ZREM', B .. ':ready:' .. kind, id)
  redis.call('ZREM', B .. ':delayed', id)
  if avail <= now then
    redis.call('ZADD', B .. ':ready:' .. kind, tonumber(id), id)
  else
    redis.call('ZADD', B .. ':delayed', avail, id)
  end
end
local function setOptional(h, field, value)
  if value == nil then redis.call('HDEL', h, field) else redis.call('HSET', h, field, value) end
end
-- Inserts row f (a table of fields) as not-in-flight, or merges it into the not-in-flight change
-- already there for its key. incoming decides whose kind/payload/origin survives: a fresh enqueue
-- wins; a change coming back from flight or the dead letters is older than the pending one.
local function upsert(f, incoming, now)
  local field = f.lane .. '\\n' .. f.key
  local pid = redis.call('HGET', B .. ':keys', field)
  if pid then
    local p = read(pid)
    local h = ckey(pid)
    local kind = p.kind
    if incoming then
      kind = f.kind
      redis.call('ZREM', B .. ':ready:' .. p.kind, pid)
      redis.call('HSET', h, 'kind', kind)
      setOptional(h, 'payload', f.payload)
      setOptional(h, 'origin', f.origin)
    end
    redis.call('HSET', h,
      'coalesced', tonumber(p.coalesced) + tonumber(f.coalesced),
      'first', math.min(tonumber(p.first), tonumber(f.first)),
      'last', math.max(tonumber(p.last), tonumber(f.last)),
      'attempts', math.max(tonumber(p.attempts), tonumber(f.attempts)))
    if f.lastError ~= nil then redis.call('HSET', h, 'lastError', f.lastError) end
    local avail = math.max(tonumber(p.avail), tonumber(f.avail))
    redis.call('HSET', h, 'avail', avail)
    redis.call('ZADD', B .. ':last', math.max(tonumber(p.last), tonumber(f.last)), pid)
    schedule(pid, kind, avail, now)
    return pid
  end
  -- A new change, or one whose hash the caller just deleted: no stale fields or zset entries to
  -- clear, so this path is six calls (it is the hot path of a 10 000-change enqueue).
  local id = f.id
  if id == nil then id = tostring(redis.call('INCR', B .. ':seq')) end
  local fields = { 'lane', f.lane, 'key', f.key, 'kind', f.kind, 'attempts', f.attempts,
    'coalesced', f.coalesced, 'first', f.first, 'last', f.last, 'avail', f.avail }
  if f.payload ~= nil then fields[#fields + 1] = 'payload'; fields[#fields + 1] = f.payload end
  if f.origin ~= nil then fields[#fields + 1] = 'origin'; fields[#fields + 1] = f.origin end
  if f.lastError ~= nil then
    fields[#fields + 1] = 'lastError'
    fields[#fields + 1] = f.lastError
  end
  redis.call('HSET', ckey(id), unpack(fields))
  redis.call('HSET', B .. ':keys', field, id)
  redis.call('ZADD', B .. ':last', tonumber(f.last), id)
  local avail = tonumber(f.avail)
  if avail <= now then
    redis.call('ZADD', B .. ':ready:' .. f.kind, tonumber(id), id)
  else
    redis.call('ZADD', B .. ':delayed', avail, id)
  end
  return id
end
-- Takes an in-flight change out of flight: ready again at avail, or merged into a newer pending one.
local function putBack(id, attempts, avail, lastError, now)
  local row = read(id)
  redis.call('ZREM', B .. ':leased', id)
  redis.call('ZREM', B .. ':last', id)
  redis.call('DEL', ckey(id))
  row.attempts = attempts
  row.avail = avail
  row.lastError = lastError
  upsert(row, false, now)
end
local function flatten(row)
  local out = {}
  for k, v in pairs(row) do
    out[#out + 1] = k
    out[#out + 1] = tostring(v)
  end
  return out
end
`;

// ARGV: now, then per change 4 values: kind, key, payload, origin; payload and origin are "" when
// absent and "=" .. value when present, so an empty origin survives the trip.
const ENQUEUE_LUA = `${LUA_PRELUDE}
local now = clock(ARGV[1])
for i = 2, #ARGV, 4 do
  local kind = ARGV[i]
  local f = { kind = kind, key = ARGV[i + 1], attempts = 0, coalesced = 1, first = now,
    last = now, avail = now }
  f.lane = kind == 'conversion' and 'conversion' or 'product'
  if ARGV[i + 2] ~= '' then f.payload = string.sub(ARGV[i + 2], 2) end
  if ARGV[i + 3] ~= '' then f.origin = string.sub(ARGV[i + 3], 2) end
  upsert(f, true, now)
end
return 1
`;

// ARGV: now, leaseMs, limit, expiredError, owner, kinds... The owner (see lease-owner.ts) is kept
// in the change's hash while it is in flight, so a dead holder's leases can be found.
const CLAIM_LUA = `${LUA_PRELUDE}
local now = clock(ARGV[1])
local leaseUntil = now + tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
for _, id in ipairs(redis.call('ZRANGEBYSCORE', B .. ':leased', '-inf', now)) do
  local row = read(id)
  putBack(id, tonumber(row.attempts) + 1, now, ARGV[4], now)
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', B .. ':delayed', '-inf', now)) do
  redis.call('ZREM', B .. ':delayed', id)
  redis.call('ZADD', B .. ':ready:' .. redis.call('HGET', ckey(id), 'kind'), tonumber(id), id)
end
local candidates = {}
for i = 6, #ARGV do
  for _, id in ipairs(redis.call('ZRANGE', B .. ':ready:' .. ARGV[i], 0, limit - 1)) do
    candidates[#candidates + 1] = tonumber(id)
  end
end
table.sort(candidates)
local claimed = {}
for i = 1, math.min(limit, #candidates) do
  local id = tostring(candidates[i])
  local row = read(id)
  redis.call('ZREM', B .. ':ready:' .. row.kind, id)
  redis.call('ZADD', B .. ':leased', leaseUntil, id)
  redis.call('HDEL', B .. ':keys', row.lane .. '\\n' .. row.key)
  redis.call('HSET', ckey(id), 'owner', ARGV[5])
  claimed[#claimed + 1] = flatten(row)
end
return claimed
`;

// ARGV: now, ids... Only a live lease can be acked: an expired one is due for redelivery.
const ACK_LUA = `${LUA_PRELUDE}
local now = clock(ARGV[1])
for i = 2, #ARGV do
  local lease = redis.call('ZSCORE', B .. ':leased', ARGV[i])
  if lease and tonumber(lease) > now then
    redis.call('ZREM', B .. ':leased', ARGV[i])
    redis.call('ZREM', B .. ':last', ARGV[i])
    redis.call('DEL', ckey(ARGV[i]))
  end
end
return 1
`;

// ARGV: now. The distinct holders of live leases.
const LEASE_OWNERS_LUA = `${LUA_PRELUDE}
local now = clock(ARGV[1])
local seen, owners = {}, {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', B .. ':leased', '(' .. now, '+inf')) do
  local owner = redis.call('HGET', ckey(id), 'owner')
  if owner and not seen[owner] then
    seen[owner] = true
    owners[#owners + 1] = owner
  end
end
return owners
`;

// ARGV: now, owner, error. Puts back every live lease the (dead) owner holds; returns how many.
const RECLAIM_LUA = `${LUA_PRELUDE}
local now = clock(ARGV[1])
local count = 0
for _, id in ipairs(redis.call('ZRANGEBYSCORE', B .. ':leased', '(' .. now, '+inf')) do
  if redis.call('HGET', ckey(id), 'owner') == ARGV[2] then
    putBack(id, tonumber(redis.call('HGET', ckey(id), 'attempts')) + 1, now, ARGV[3], now)
    count = count + 1
  end
end
return count
`;

// ARGV: now, leaseMs, ids... Extends live leases only; returns the ids it extended.
const RENEW_LUA = `${LUA_PRELUDE}
local now = clock(ARGV[1])
local leaseUntil = now + tonumber(ARGV[2])
local renewed = {}
for i = 3, #ARGV do
  local lease = redis.call('ZSCORE', B .. ':leased', ARGV[i])
  if lease and tonumber(lease) > now then
    redis.call('ZADD', B .. ':leased', leaseUntil, ARGV[i])
    renewed[#renewed + 1] = ARGV[i]
  end
end
return renewed
`;

// ARGV: now, id, error, delayMs, maxAttempts
const FAIL_LUA = `${LUA_PRELUDE}
local now = clock(ARGV[1])
local id = ARGV[2]
local lease = redis.call('ZSCORE', B .. ':leased', id)
if not lease or tonumber(lease) <= now then return 'retrying' end
local attempts = tonumber(redis.call('HGET', ckey(id), 'attempts')) + 1
if attempts >= tonumber(ARGV[5]) then
  redis.call('ZREM', B .. ':leased', id)
  redis.call('ZREM', B .. ':last', id)
  redis.call('HSET', ckey(id), 'attempts', attempts, 'lastError', ARGV[3], 'failedAt', now,
    'reason', ARGV[3])
  redis.call('ZADD', B .. ':dead', now, id)
  return 'dead'
end
putBack(id, attempts, now + tonumber(ARGV[4]), ARGV[3], now)
return 'retrying'
`;

// ARGV: limit
const LIST_DEAD_LUA = `${LUA_PRELUDE}
local out = {}
for _, id in ipairs(redis.call('ZRANGE', B .. ':dead', 0, tonumber(ARGV[1]) - 1)) do
  out[#out + 1] = flatten(read(id))
end
return out
`;

// ARGV: now, all ("1" or "0"), ids...
const REPLAY_LUA = `${LUA_PRELUDE}
local now = clock(ARGV[1])
local ids = {}
if ARGV[2] == '1' then
  ids = redis.call('ZRANGE', B .. ':dead', 0, -1)
else
  for i = 3, #ARGV do ids[#ids + 1] = ARGV[i] end
end
local count = 0
for _, id in ipairs(ids) do
  if redis.call('ZREM', B .. ':dead', id) == 1 then
    local row = read(id)
    redis.call('DEL', ckey(id))
    row.failedAt = nil
    row.reason = nil
    row.attempts = 0
    row.avail = now
    upsert(row, false, now)
    count = count + 1
  end
end
return count
`;

// ARGV: now
const STATS_LUA = `${LUA_PRELUDE}
local now = clock(ARGV[1])
local ready = redis.call('ZCARD', B .. ':ready:product') + redis.call('ZCARD', B .. ':ready:delete')
  + redis.call('ZCARD', B .. ':ready:conversion')
local dueDelayed = redis.call('ZCOUNT', B .. ':delayed', '-inf', now)
local expired = redis.call('ZCOUNT', B .. ':leased', '-inf', now)
return {
  ready + dueDelayed + expired,
  redis.call('ZCOUNT', B .. ':delayed', '(' .. now, '+inf'),
  redis.call('ZCOUNT', B .. ':leased', '(' .. now, '+inf'),
  redis.call('ZCARD', B .. ':dead'),
}
`;

// No ARGV. The latest enqueue (merged ones included) of any change still queued, or nil. An entry
// whose change is gone or dead (left by a V1 script during a rolling upgrade) is dropped on the way.
const LAST_ENQUEUED_LUA = `${LUA_PRELUDE}
while true do
  local top = redis.call('ZREVRANGE', B .. ':last', 0, 0, 'WITHSCORES')
  if #top == 0 then return false end
  local h = ckey(top[1])
  if redis.call('EXISTS', h) == 1 and redis.call('HEXISTS', h, 'failedAt') == 0 then
    return top[2]
  end
  redis.call('ZREM', B .. ':last', top[1])
end
`;

// ARGV: limit. Deletes up to `limit` changes (hash and set entries); once no set holds any, the
// queue's other keys. Returns 1 while changes remain, 0 once the queue has no key left. Every
// change is in at least one of these sets (ready, delayed or leased, or dead), so no SCAN is
// needed and every key stays in the queue's slot.
const DROP_LUA = `${LUA_PRELUDE}
local budget = tonumber(ARGV[1])
local sets = { B .. ':ready:product', B .. ':ready:delete', B .. ':ready:conversion',
  B .. ':delayed', B .. ':leased', B .. ':dead', B .. ':last' }
for _, set in ipairs(sets) do
  local ids = redis.call('ZRANGE', set, 0, budget - 1)
  for _, id in ipairs(ids) do redis.call('DEL', ckey(id)) end
  if #ids > 0 then redis.call('ZREMRANGEBYRANK', set, 0, #ids - 1) end
  budget = budget - #ids
  if budget <= 0 then return 1 end
end
redis.call('UNLINK', B .. ':seq', B .. ':keys', unpack(sets))
return 0
`;

// Commands are registered on a client BullMQ may share with other code, so the names are
// namespaced and versioned: a changed script gets a new name rather than clobbering a live one.
// V2: every script that writes a change also maintains B:last.
const SCRIPTS = {
  neuroonCqEnqueueV2: ENQUEUE_LUA,
  neuroonCqClaimV3: CLAIM_LUA,
  neuroonCqLeaseOwnersV1: LEASE_OWNERS_LUA,
  neuroonCqReclaimV1: RECLAIM_LUA,
  neuroonCqAckV2: ACK_LUA,
  neuroonCqRenewV1: RENEW_LUA,
  neuroonCqFailV2: FAIL_LUA,
  neuroonCqListDeadV2: LIST_DEAD_LUA,
  neuroonCqReplayV2: REPLAY_LUA,
  neuroonCqStatsV2: STATS_LUA,
  neuroonCqLastEnqueuedV2: LAST_ENQUEUED_LUA,
  neuroonCqDropV1: DROP_LUA,
} as const;

// Changes deleted per script call of drop(), so a large queue never blocks Redis for long.
const DROP_BATCH_SIZE = 1_000;

type ScriptName = keyof typeof SCRIPTS;

/**
 * The {@link ChangeQueue} for several workers on several machines, on Redis through BullMQ's
 * connection layer. Import it from `@neuroon/core/bullmq` (BullMQ is an optional peer dependency).
 *
 * BullMQ's job model does not fit this interface: a job id dedupes but keeps the first payload
 * (we need the latest), a change arriving while its job is active must become a second change, and
 * BullMQ hands out one job per call with no kind filter. So each operation is one Lua script over
 * the same Redis connection BullMQ manages (ioredis or node-redis, cluster-safe keys), which makes
 * coalescing, claim-many, lease expiry and dead-lettering atomic across any number of processes
 * without in-process state. The data lives beside, not inside, BullMQ's own job keys.
 */
export class BullMqChangeQueue implements ChangeQueue {
  readonly #connection: RedisConnection;
  readonly #base: string;
  readonly #now: (() => number) | undefined;
  #client: Promise<RedisClient> | undefined;
  readonly #owner = currentLeaseOwner();
  #closed = false;

  /** Creates the queue; the connection opens lazily on first use. */
  constructor(options: BullMqQueueOptions) {
    const name = options.name ?? DEFAULT_BULLMQ_QUEUE_NAME;
    const prefix = options.prefix ?? "bull";
    if (name.length === 0 || name.includes(":") || name.includes("{") || name.includes("}")) {
      throw new TypeError(
        `BullMqChangeQueue name must be non-empty without ":", "{" or "}", received ${JSON.stringify(name)}`,
      );
    }
    // BullMQ's connection layer rather than a BullMQ Queue: a Queue writes its own meta key on
    // start, and we need none of its job scripts. A client passed in is shared and left open.
    this.#connection = new RedisConnection(options.connection, {
      shared: isRedisInstance(options.connection),
      blocking: false,
    });
    const onError = options.onError;
    this.#connection.on("error", (error: Error) => onError?.(error));
    this.#base = `${prefix}:{${name}}:changes`;
    this.#now = options.now;
  }

  async enqueue(changes: ChangeInput | readonly ChangeInput[]): Promise<void> {
    const list = normaliseChanges(changes);
    if (list.length === 0) return;
    const args: string[] = [];
    for (const change of list) {
      const payload = encodePayload(change.payload);
      args.push(
        change.kind,
        change.key,
        payload === null ? "" : `=${payload}`,
        change.origin === undefined ? "" : `=${change.origin}`,
      );
    }
    // Redis applies a script atomically, and ioredis resolves after the reply, i.e. after Redis
    // applied it (durable to the extent the server's AOF/RDB settings make it; see the README).
    await this.#run("neuroonCqEnqueueV2", [this.#clock(), ...args]);
  }

  async claim(options: ClaimOptions): Promise<QueuedChange[]> {
    const kinds = validateClaimOptions(options);
    if (kinds.length === 0) return [];
    await this.#reclaimFromDeadHolders();
    const rows = (await this.#run("neuroonCqClaimV3", [
      this.#clock(),
      String(Math.ceil(options.leaseMs)),
      String(options.limit),
      LEASE_EXPIRED_ERROR,
      this.#owner,
      ...kinds,
    ])) as string[][];
    return rows.map((flat) => toQueuedChange(toRecord(flat)));
  }

  async renewLeases(ids: readonly string[], leaseMs: number): Promise<string[]> {
    validateLeaseMs(leaseMs, "renewLeases");
    const valid = [...new Set(ids)].filter(isId);
    if (valid.length === 0) return [];
    const renewed = (await this.#run("neuroonCqRenewV1", [
      this.#clock(),
      String(Math.ceil(leaseMs)),
      ...valid,
    ])) as string[];
    return renewed.map(String);
  }

  async ack(ids: readonly string[]): Promise<void> {
    const valid = ids.filter(isId);
    if (valid.length === 0) return;
    await this.#run("neuroonCqAckV2", [this.#clock(), ...valid]);
  }

  async fail(
    id: string,
    error: string,
    options: { delayMs: number; maxAttempts: number },
  ): Promise<"retrying" | "dead"> {
    validateFailOptions(options);
    if (!isId(id)) return "retrying";
    const outcome = await this.#run("neuroonCqFailV2", [
      this.#clock(),
      id,
      error,
      String(Math.ceil(options.delayMs)),
      String(options.maxAttempts),
    ]);
    return outcome === "dead" ? "dead" : "retrying";
  }

  async listDeadLetters(options?: { limit?: number }): Promise<DeadLetter[]> {
    const limit = options?.limit ?? DEFAULT_DEAD_LETTER_LIMIT;
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`listDeadLetters limit must be a positive integer, received ${limit}`);
    }
    const rows = (await this.#run("neuroonCqListDeadV2", [String(limit)])) as string[][];
    return rows.map((flat) => {
      const record = toRecord(flat);
      return {
        ...toQueuedChange(record),
        failedAt: Number(record.failedAt),
        reason: record.reason ?? "",
      };
    });
  }

  async replayDeadLetters(ids?: readonly string[]): Promise<number> {
    const args =
      ids === undefined ? [this.#clock(), "1"] : [this.#clock(), "0", ...new Set(ids.filter(isId))];
    if (ids !== undefined && args.length === 2) return 0;
    return Number(await this.#run("neuroonCqReplayV2", args));
  }

  async stats(): Promise<QueueStats> {
    const [pending, delayed, inFlight, deadLetters] = (await this.#run("neuroonCqStatsV2", [
      this.#clock(),
    ])) as number[];
    return {
      pending: Number(pending),
      delayed: Number(delayed),
      inFlight: Number(inFlight),
      deadLetters: Number(deadLetters),
    };
  }

  /**
   * Epoch ms (queue clock: the Redis server's unless `now` is given) of the latest enqueue still in
   * the queue, merged enqueues included; undefined when nothing is pending, delayed or in flight.
   * One `ZREVRANGE` on an index the scripts keep in the queue's slot.
   */
  async lastEnqueuedAt(): Promise<number | undefined> {
    const at = await this.#run("neuroonCqLastEnqueuedV2", []);
    return at === null || at === undefined ? undefined : Number(at);
  }

  /**
   * Deletes every key of this queue: pending, delayed, in-flight and dead changes, the key index
   * and the id counter (erasing a shop's data, e.g. Shopify's `shop/redact`). The queue stays
   * open, empty; a queue opened later under the same name and prefix starts afresh. Stop the
   * workers first: a change claimed before the drop cannot be acked, and an enqueue racing the
   * drop may survive it. Runs in batches of 1,000 changes, so Redis is never blocked for long.
   */
  async drop(): Promise<void> {
    let isDone = false;
    while (!isDone) {
      isDone = Number(await this.#run("neuroonCqDropV1", [String(DROP_BATCH_SIZE)])) === 0;
    }
  }

  /** Closes the connection BullMQ opened (a client passed in as `connection` is left open). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#connection.close();
  }

  /**
   * Puts back at once the changes leased by a process of this machine that is gone (SIGKILLed,
   * crashed, or from before a reboot), instead of leaving them for their lease to run out (issue
   * 17 item 6). Leases of live processes, and of other hosts, are left alone.
   */
  async #reclaimFromDeadHolders(): Promise<void> {
    const owners = (await this.#run("neuroonCqLeaseOwnersV1", [this.#clock()])) as string[];
    for (const owner of owners) {
      if (owner === this.#owner || !isLeaseOwnerDead(owner)) continue;
      await this.#run("neuroonCqReclaimV1", [this.#clock(), owner, LEASE_HOLDER_DIED_ERROR]);
    }
  }

  #clock(): string {
    return this.#now === undefined ? "" : String(Math.trunc(this.#now()));
  }

  async #run(name: ScriptName, args: readonly string[]): Promise<unknown> {
    if (this.#closed) throw new Error("BullMqChangeQueue is closed; open a new one to continue");
    this.#client ??= this.#connection.client.then((client) => {
      for (const [scriptName, lua] of Object.entries(SCRIPTS)) {
        client.defineCommand(scriptName, { numberOfKeys: 1, lua });
      }
      return client;
    });
    const client = await this.#client;
    return client.runCommand(name, [this.#base, ...args]);
  }
}

/** Opens the Redis-backed change queue; see {@link BullMqChangeQueue}. */
export function openBullMqQueue(options: BullMqQueueOptions): BullMqChangeQueue {
  return new BullMqChangeQueue(options);
}

function toRecord(flat: readonly string[]): Record<string, string> {
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) record[flat[i] as string] = flat[i + 1] as string;
  return record;
}

function toQueuedChange(record: Record<string, string>): QueuedChange {
  const change: QueuedChange = {
    id: record.id ?? "",
    kind: record.kind as ChangeKind,
    key: record.key ?? "",
    attempts: Number(record.attempts),
    coalesced: Number(record.coalesced),
    firstEnqueuedAt: Number(record.first),
    lastEnqueuedAt: Number(record.last),
  };
  if (record.payload !== undefined) change.payload = JSON.parse(record.payload);
  if (record.origin !== undefined) change.origin = record.origin;
  if (record.lastError !== undefined) change.lastError = record.lastError;
  return change;
}

function isId(id: string): boolean {
  return /^[1-9][0-9]{0,15}$/.test(id);
}

// The Redis sync state store shares this entry point, so `@neuroon/core` itself never loads bullmq.
export {
  DEFAULT_REDIS_STATE_NAME,
  openRedisStateStore,
  type RedisStateStoreOptions,
  RedisSyncStateStore,
} from "../state/redis-state-store.js";
