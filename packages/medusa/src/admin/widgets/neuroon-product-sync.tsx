import { defineWidgetConfig } from "@medusajs/admin-sdk";
import type { AdminProduct, DetailWidgetProps } from "@medusajs/framework/types";
import { Badge, Button, Container, Heading, Text, toast } from "@medusajs/ui";
import { useCallback, useEffect, useState } from "react";
import { adminFetch, formatDate, type ProductSyncState, STATUS_COLOR } from "../lib/api";

const STATUS_LABEL: Record<ProductSyncState["status"], string> = {
  synced: "In Neuroon",
  failed: "Failed, will retry",
  rejected: "Refused: fix the product",
};

/** Product page: whether Neuroon has this product, the last error, and a "sync now" button. */
const NeuroonProductSyncWidget = ({ data }: DetailWidgetProps<AdminProduct>) => {
  const [state, setState] = useState<ProductSyncState | null | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const res = await adminFetch<{ sync: ProductSyncState | null }>(
        `/admin/neuroon/products/${data.id}`,
      );
      setState(res.sync);
    } catch (error) {
      toast.error("Neuroon", { description: (error as Error).message });
    }
  }, [data.id]);

  useEffect(() => {
    void load();
  }, [load]);

  const syncNow = async () => {
    setBusy(true);
    try {
      const res = await adminFetch<{ sync: ProductSyncState | null }>(
        `/admin/neuroon/products/${data.id}`,
        { method: "POST", body: "{}" },
      );
      setState(res.sync);
      toast.success("Neuroon", { description: "Product sent again." });
    } catch (error) {
      toast.error("Neuroon", { description: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Container className="divide-y p-0">
      <div className="flex items-center justify-between px-6 py-4">
        <Heading level="h2">Neuroon search</Heading>
        {state ? (
          <Badge color={STATUS_COLOR[state.status]}>{STATUS_LABEL[state.status]}</Badge>
        ) : null}
      </div>
      <div className="flex flex-col gap-y-2 px-6 py-4">
        {state === undefined ? <Text size="small">Loading…</Text> : null}
        {state === null ? (
          <Text size="small">
            Not in Neuroon: a draft or unpriced product, or not sent yet (it goes out on its next
            change or the nightly reconcile).
          </Text>
        ) : null}
        {state ? (
          <>
            <Text size="small">Last synced: {formatDate(state.last_synced_at)}</Text>
            {state.last_error ? (
              <Text size="small" className="text-ui-fg-error">
                {state.last_error}
              </Text>
            ) : null}
          </>
        ) : null}
        <div>
          <Button size="small" variant="secondary" isLoading={busy} onClick={syncNow}>
            Sync now
          </Button>
        </div>
      </div>
    </Container>
  );
};

export const config = defineWidgetConfig({ zone: "product.details.side.after" });

export default NeuroonProductSyncWidget;
