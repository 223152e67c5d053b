import {
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_RECONCILE_HOUR_UTC,
  DEFAULT_TAX_CHECK_INTERVAL_MS,
  DEFAULT_WEBHOOK_CHECK_INTERVAL_MS,
  type WooBridgeConfig,
} from "./config.js";
import { msUntilUtcHour, type ScheduledTask } from "./scheduler.js";

type Job = (options: { signal: AbortSignal }) => Promise<unknown>;

/**
 * The bridge's recurring jobs as the configuration asks for them: the poll, the webhook check
 * and the tax-settings check at their intervals (0 turns one off), and the nightly reconcile at
 * its UTC hour (`false` turns it off).
 */
export function bridgeTasks(
  config: WooBridgeConfig,
  jobs: { poll: Job; checkWebhooks: Job; checkTaxSettings: Job; reconcile: Job },
): ScheduledTask[] {
  const schedule = config.schedule;
  const every = (name: string, intervalMs: number, job: Job): ScheduledTask[] =>
    intervalMs > 0
      ? [{ name, nextDelayMs: () => intervalMs, run: (signal) => job({ signal }) }]
      : [];
  const hour = schedule?.reconcileHourUtc ?? DEFAULT_RECONCILE_HOUR_UTC;
  return [
    ...every("poll", schedule?.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, jobs.poll),
    ...every(
      "webhook-check",
      schedule?.webhookCheckIntervalMs ?? DEFAULT_WEBHOOK_CHECK_INTERVAL_MS,
      jobs.checkWebhooks,
    ),
    ...every(
      "tax-settings",
      schedule?.taxCheckIntervalMs ?? DEFAULT_TAX_CHECK_INTERVAL_MS,
      jobs.checkTaxSettings,
    ),
    ...(hour === false
      ? []
      : [
          {
            name: "reconcile",
            nextDelayMs: (at: number) => msUntilUtcHour(at, hour),
            run: (signal: AbortSignal) => jobs.reconcile({ signal }),
          },
        ]),
  ];
}
