import { defineRouteConfig } from "@medusajs/admin-sdk";
import { MagnifyingGlass } from "@medusajs/icons";
import { Badge, Button, Container, Heading, Table, Text, toast } from "@medusajs/ui";
import { useCallback, useEffect, useState } from "react";
import { adminFetch, formatDate, type NeuroonStatus, STATUS_COLOR } from "../../../lib/api";

/** Settings → Neuroon: totals, latest errors and runs, and the full-resync button. */
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
          {status
            ? (Object.entries(status.products) as Array<[keyof typeof STATUS_COLOR, number]>).map(
                ([name, count]) => (
                  <div key={name} className="flex items-center gap-x-2">
                    <Badge color={STATUS_COLOR[name]}>{name}</Badge>
                    <Text size="small">{count} products</Text>
                  </div>
                ),
              )
            : null}
          {status ? (
            <Text size="small">
              Conversions: {status.conversions.sent ?? 0} sent,{" "}
              {(status.conversions.failed ?? 0) + (status.conversions.dead ?? 0)} failed
            </Text>
          ) : null}
        </div>
      </Container>

      <Container className="divide-y p-0">
        <div className="px-6 py-4">
          <Heading level="h2">Latest errors</Heading>
        </div>
        <Table>
          <Table.Header>
            <Table.Row>
              <Table.HeaderCell>Product</Table.HeaderCell>
              <Table.HeaderCell>State</Table.HeaderCell>
              <Table.HeaderCell>Error</Table.HeaderCell>
              <Table.HeaderCell>Next attempt</Table.HeaderCell>
            </Table.Row>
          </Table.Header>
          <Table.Body>
            {(status?.last_errors ?? []).map((row) => (
              <Table.Row key={row.product_id}>
                <Table.Cell>
                  <a href={`/app/products/${row.product_id}`}>{row.product_id}</a>
                </Table.Cell>
                <Table.Cell>
                  <Badge color={STATUS_COLOR[row.status]}>{row.status}</Badge> ×{row.attempts}
                </Table.Cell>
                <Table.Cell>{row.last_error}</Table.Cell>
                <Table.Cell>{formatDate(row.next_attempt_at)}</Table.Cell>
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
