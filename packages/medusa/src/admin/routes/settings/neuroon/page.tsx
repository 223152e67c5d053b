import { defineRouteConfig } from "@medusajs/admin-sdk";
import { MagnifyingGlass } from "@medusajs/icons";
import { Badge, Button, Container, Heading, Table, Text, toast } from "@medusajs/ui";
import { useCallback, useEffect, useState } from "react";
import { adminFetch, formatDate, type NeuroonStatus } from "../../../lib/api";

/** Settings → Neuroon: the queue, changes given up on, runs, and the full-resync button. */
const NeuroonSettingsPage = () => {
  const [status, setStatus] = useState<NeuroonStatus | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      setStatus(await adminFetch<NeuroonStatus>("/admin/neuroon/status"));
    } catch (error) {
      toast.error("Neuroon", { description: (error as Error).message });
    }
  }, []);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), 5000);
    return () => clearInterval(timer);
  }, [load]);

  const resync = async () => {
    setBusy(true);
    try {
      await adminFetch<{ run_id: string }>("/admin/neuroon/resync", { method: "POST", body: "{}" });
      toast.success("Neuroon", { description: "Full resync started in the background." });
      await load();
    } catch (error) {
      toast.error("Neuroon", { description: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };

  const running = status?.runs.some((r) => r.status === "running") ?? false;

  return (
    <div className="flex flex-col gap-y-3">
      <Container className="divide-y p-0">
        <div className="flex items-center justify-between px-6 py-4">
          <div>
            <Heading level="h1">Neuroon</Heading>
            <Text size="small" className="text-ui-fg-subtle">
              Shop {status?.shop_id ?? "…"} at {status?.api_url ?? "…"}
            </Text>
          </div>
          <Button size="small" isLoading={busy} disabled={running} onClick={resync}>
            {running ? "Resync running…" : "Resync all products"}
          </Button>
        </div>
        <div className="grid grid-cols-3 gap-4 px-6 py-4">
          {status ? (
            <>
              <Text size="small">{status.products.synced} products in Neuroon</Text>
              <Text size="small">
                Queue: {status.queue.pending} waiting, {status.queue.retrying} retrying,{" "}
                {status.queue.in_flight} sending
              </Text>
              <div className="flex items-center gap-x-2">
                <Badge color={status.queue.dead > 0 ? "red" : "grey"}>gave up</Badge>
                <Text size="small">{status.queue.dead} changes</Text>
              </div>
            </>
          ) : null}
        </div>
      </Container>

      <Container className="divide-y p-0">
        <div className="px-6 py-4">
          <Heading level="h2">Changes given up on</Heading>
        </div>
        <Table>
          <Table.Header>
            <Table.Row>
              <Table.HeaderCell>Product or order</Table.HeaderCell>
              <Table.HeaderCell>Attempts</Table.HeaderCell>
              <Table.HeaderCell>Error</Table.HeaderCell>
              <Table.HeaderCell>Given up</Table.HeaderCell>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {(status?.dead_letters ?? []).map((row) => (
              <Table.Row key={`${row.kind}:${row.key}`}>
                <Table.Cell>
                  {row.kind === "conversion" ? (
                    `order ${row.key}`
                  ) : (
                    <a href={`/app/products/${row.key}`}>{row.key}</a>
                  )}
                </Table.Cell>
                <Table.Cell>{row.attempts}</Table.Cell>
                <Table.Cell>{row.reason}</Table.Cell>
                <Table.Cell>{formatDate(row.failed_at)}</Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      </Container>

      <Container className="divide-y p-0">
        <div className="px-6 py-4">
          <Heading level="h2">Sync runs</Heading>
        </div>
        <Table>
          <Table.Header>
            <Table.Row>
              <Table.HeaderCell>Started</Table.HeaderCell>
              <Table.HeaderCell>Kind</Table.HeaderCell>
              <Table.HeaderCell>State</Table.HeaderCell>
              <Table.HeaderCell>Sent / deleted / failed</Table.HeaderCell>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {(status?.runs ?? []).map((run) => (
              <Table.Row key={run.id}>
                <Table.Cell>{formatDate(run.started_at)}</Table.Cell>
                <Table.Cell>{run.kind}</Table.Cell>
                <Table.Cell title={run.error ?? undefined}>{run.status}</Table.Cell>
                <Table.Cell>
                  {run.upserted} / {run.deleted} / {run.failed}
                </Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      </Container>
    </div>
  );
};

export const config = defineRouteConfig({ label: "Neuroon", icon: MagnifyingGlass });

export default NeuroonSettingsPage;
