/** Sync state of one product, as `GET /admin/neuroon/products/:id` returns it. */
export interface ProductSyncState {
  product_id: string;
  /** `synced`: Neuroon has it; `failed`: a transient error, retried; `rejected`: fix the product. */
  status: "synced" | "failed" | "rejected";
  last_synced_at: string;
  last_error: string | null;
}

export interface SyncRun {
  id: string;
  kind: "full" | "reconcile";
  status: "running" | "completed" | "failed";
  started_at: string;
  finished_at: string | null;
  upserted: number;
  deleted: number;
  failed: number;
  error: string | null;
}

/** A change the engine gave up on after its last attempt. */
export interface DeadLetter {
  kind: "product" | "delete" | "conversion";
  key: string;
  attempts: number;
  reason: string;
  failed_at: string;
}

export interface NeuroonStatus {
  shop_id: string;
  api_url: string;
  queue: { pending: number; retrying: number; in_flight: number; dead: number };
  products: { synced: number };
  dead_letters: DeadLetter[];
  runs: SyncRun[];
}

/** Calls the plugin's admin routes with the dashboard's session cookie. */
export async function adminFetch<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(path, {
    credentials: "include",
    ...init,
    headers: {
      Accept: "application/json",
      ...(init.body ? { "Content-Type": "application/json" } : {}),
      ...init.headers,
    },
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { message?: string } | null;
    throw new Error(body?.message ?? `${response.status} ${response.statusText}`);
  }
  return (await response.json()) as T;
}

export const STATUS_COLOR = {
  synced: "green",
  failed: "orange",
  rejected: "red",
} as const;

export function formatDate(value: string | null | undefined): string {
  return value ? new Date(value).toLocaleString() : "—";
}
