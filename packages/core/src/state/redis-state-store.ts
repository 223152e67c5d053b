import { Buffer } from "node:buffer";
import { type ConnectionOptions, isRedisInstance, type RedisClient, RedisConnection } from "bullmq";
import type { IterateIdsOptions, SyncStateRecord, SyncStateStore } from "./types.js";
import {
  copyRecord,
  DEFAULT_ITERATE_BATCH_SIZE,
  validateBatchSize,
  validateRecords,
  validateShopId,
} from "./validate.js";

/** Options for {@link openRedisStateStore}. */
export interface RedisStateStoreOptions {
  /** Redis connection: ioredis options (`{ host, port }`), or an existing client to share. */
  connection: ConnectionOptions;
  /** The shop whose state this store reads and writes. */
  shopId: string;
  /** Namespace, like the change queue's name. Default `neuroon-state`. */
  name?: string;
  /** Key prefix, as in BullMQ. Default `bull`. */
  prefix?: string;
  /** Connection errors emitted between calls (calls themselves reject). Default: ignored. */
  onError?: (error: Error) => void;
}

/** Default namespace of {@link RedisSyncStateStore}. */
export const DEFAULT_REDIS_STATE_NAME = "neuroon-state";

// Keys under B = "<prefix>:{<name>}:state:<shopId>" (one hash slot per name):
//   B:r         hash externalId -> record JSON
//   B:ids       zset, all scores 0: externalIds, so ZRANGEBYLEX pages them in byte order
//   B:parent    hash externalId -> parentExternalId (to unlink when it changes)
//   B:variants  zset, scores 0: "<parent>\0<variant>", a lex range per parent
//   B:meta      hash key -> JSON
const PUT_LUA = `
local B = KEYS[1]
for i = 1, #ARGV, 3 do
  local id, json, parent = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local old = redis.call('HGET', B .. ':parent', id)
  if old and old ~= parent then
    redis.call('ZREM', B .. ':variants', old .. '\\0' .. id)
    redis.call('HDEL', B .. ':parent', id)
  end
  if parent ~= '' then
    redis.call('HSET', B .. ':parent', id, parent)
    redis.call('ZADD', B .. ':variants', 0, parent .. '\\0' .. id)
  end
  redis.call('HSET', B .. ':r', id, json)
  redis.call('ZADD', B .. ':ids', 0, id)
end
return 1
`;

const DELETE_LUA = `
local B = KEYS[1]
local removed = 0
for i = 1, #ARGV do
  local id = ARGV[i]
  if redis.call('HDEL', B .. ':r', id) == 1 then
    removed = removed + 1
    redis.call('ZREM', B .. ':ids', id)
    local parent = redis.call('HGET', B .. ':parent', id)
    if parent then
      redis.call('ZREM', B .. ':variants', parent .. '\\0' .. id)
      redis.call('HDEL', B .. ':parent', id)
    end
  end
end
return removed
`;

// ARGV: after ("" for the start), limit
const PAGE_LUA = `
local min = '-'
if ARGV[1] ~= '' then min = '(' .. ARGV[1] end
return redis.call('ZRANGEBYLEX', KEYS[1] .. ':ids', min, '+', 'LIMIT', 0, tonumber(ARGV[2]))
`;

// ARGV: parents...
const VARIANTS_LUA = `
local out = {}
for i = 1, #ARGV do
  local members = redis.call('ZRANGEBYLEX', KEYS[1] .. ':variants',
    '[' .. ARGV[i] .. '\\0', '(' .. ARGV[i] .. '\\1')
  for _, member in ipairs(members) do
    out[#out + 1] = string.sub(member, #ARGV[i] + 2)
  end
end
return out
`;

const COUNT_LUA = "return redis.call('HLEN', KEYS[1] .. ':r')";

// UNLINK frees the (possibly large) hashes in the background, so the call returns at once.
const DROP_LUA = `
local B = KEYS[1]
return redis.call('UNLINK', B .. ':r', B .. ':ids', B .. ':parent', B .. ':variants', B .. ':meta')
`;

const SCRIPTS = {
  neuroonStateCountV1: COUNT_LUA,
  neuroonStatePutV1: PUT_LUA,
  neuroonStateDeleteV1: DELETE_LUA,
  neuroonStatePageV1: PAGE_LUA,
  neuroonStateVariantsV1: VARIANTS_LUA,
  neuroonStateDropV1: DROP_LUA,
} as const;

type ScriptName = keyof typeof SCRIPTS;

// Bounds the size of one Redis command.
const IDS_PER_COMMAND = 500;

/**
 * A {@link SyncStateStore} on Redis, for engines running on several machines. Writes of a batch are
 * one Lua script (all or nothing, atomic against other writers); import it from
 * `@neuroon/core/bullmq`.
 */
export class RedisSyncStateStore implements SyncStateStore {
  readonly shopId: string;
  readonly #connection: RedisConnection;
  readonly #base: string;
  #client: Promise<RedisClient> | undefined;
  #closed = false;

  /** Creates the store; the connection opens lazily on first use. */
  constructor(options: RedisStateStoreOptions) {
    validateShopId(options.shopId);
    const name = options.name ?? DEFAULT_REDIS_STATE_NAME;
    if (name.length === 0 || /[:{}]/.test(name)) {
      throw new TypeError(
        `RedisSyncStateStore name must be non-empty without ":", "{" or "}", received ${JSON.stringify(name)}`,
      );
    }
    this.shopId = options.shopId;
    this.#base = `${options.prefix ?? "bull"}:{${name}}:state:${options.shopId}`;
    this.#connection = new RedisConnection(options.connection, {
      shared: isRedisInstance(options.connection),
      blocking: false,
    });
    const onError = options.onError;
    this.#connection.on("error", (error: Error) => onError?.(error));
  }

  async get(externalIds: readonly string[]): Promise<Map<string, SyncStateRecord>> {
    const found = new Map<string, SyncStateRecord>();
    const client = await this.#getClient();
    for (const chunk of chunks([...new Set(externalIds)], IDS_PER_COMMAND)) {
      const values = await client.hmget(`${this.#base}:r`, ...chunk);
      chunk.forEach((id, index) => {
        const json = values[index];
        if (json !== null && json !== undefined) found.set(id, JSON.parse(json) as SyncStateRecord);
      });
    }
    return found;
  }

  async put(records: readonly SyncStateRecord[]): Promise<void> {
    validateRecords(records);
    if (records.length === 0) return;
    const args: string[] = [];
    for (const record of records) {
      args.push(
        record.externalId,
        JSON.stringify(copyRecord(record)),
        record.parentExternalId ?? "",
      );
    }
    // One script for the whole batch, however large: all or nothing, as the interface promises.
    await this.#run("neuroonStatePutV1", args);
  }

  async delete(externalIds: readonly string[]): Promise<number> {
    const unique = [...new Set(externalIds)];
    if (unique.length === 0) return 0;
    return Number(await this.#run("neuroonStateDeleteV1", unique));
  }

  async *iterateIds(options?: IterateIdsOptions): AsyncIterable<string> {
    const batchSize = options?.batchSize ?? DEFAULT_ITERATE_BATCH_SIZE;
    validateBatchSize(batchSize);
    let after = "";
    for (;;) {
      const page = (await this.#run("neuroonStatePageV1", [after, String(batchSize)])) as string[];
      yield* page;
      const last = page[page.length - 1];
      if (last === undefined || page.length < batchSize) return;
      after = last;
    }
  }

  async count(): Promise<number> {
    return Number(await this.#run("neuroonStateCountV1", []));
  }

  async variantsOf(parentExternalIds: readonly string[]): Promise<string[]> {
    const parents = [...new Set(parentExternalIds)];
    if (parents.length === 0) return [];
    const variants = (await this.#run("neuroonStateVariantsV1", parents)) as string[];
    return variants.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }

  async getMeta<T = unknown>(key: string): Promise<T | undefined> {
    const client = await this.#getClient();
    const json = await client.hget(`${this.#base}:meta`, key);
    return json === null ? undefined : (JSON.parse(json) as T);
  }

  async setMeta(key: string, value: unknown): Promise<void> {
    const client = await this.#getClient();
    if (value === undefined) await client.hdel(`${this.#base}:meta`, key);
    else await client.hset(`${this.#base}:meta`, { [key]: JSON.stringify(value) });
  }

  /**
   * Deletes every key of this shop's state (records, indexes, run metadata), e.g. for Shopify's
   * `shop/redact`; other shops under the same name are left alone. The store stays open, empty.
   */
  async drop(): Promise<void> {
    await this.#run("neuroonStateDropV1", []);
  }

  /** Closes the connection it opened (a client passed in as `connection` is left open). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#connection.close();
  }

  #getClient(): Promise<RedisClient> {
    if (this.#closed) {
      return Promise.reject(new Error("RedisSyncStateStore is closed; open a new one to continue"));
    }
    this.#client ??= this.#connection.client.then((client) => {
      for (const [scriptName, lua] of Object.entries(SCRIPTS)) {
        client.defineCommand(scriptName, { numberOfKeys: 1, lua });
      }
      return client;
    });
    return this.#client;
  }

  async #run(name: ScriptName, args: readonly string[]): Promise<unknown> {
    const client = await this.#getClient();
    return client.runCommand(name, [this.#base, ...args]);
  }
}

/** Opens the Redis sync state store; see {@link RedisSyncStateStore}. */
export function openRedisStateStore(options: RedisStateStoreOptions): RedisSyncStateStore {
  return new RedisSyncStateStore(options);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
