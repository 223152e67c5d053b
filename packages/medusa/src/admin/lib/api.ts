/** Sync state of one product, as `GET /admin/neuroon/products/:id` returns it. */
export interface ProductSyncState {
  product_id: string;
  status: "pending" | "synced" | "deleted" | "skipped" | "failed" | "dead";
  attempts: number;
  last_error: string | null;
  next_attempt_at: string | null;
  last_synced_at: string | null;
  updated_at: string;
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

export interface NeuroonStatus {
  shop_id: string;
  api_url: string;
  products: Record<ProductSyncState["status"], number>;
  conversions: Record<string, number>;
  last_errors: ProductSyncState[];
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
  pending: "orange",
  synced: "green",
  deleted: "grey",
  skipped: "grey",
  failed: "red",
  dead: "red",
} as const;

export function formatDate(value: string | null | undefined): string {
  return value ? new Date(value).toLocaleString() : "—";
}
