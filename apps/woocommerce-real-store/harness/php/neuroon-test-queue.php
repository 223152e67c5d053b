<?php
/**
 * Plugin Name: Neuroon test queue runner (runs Action Scheduler's queue on request, as WP-Cron would).
 *
 * WP-Cron runs Action Scheduler's queue (`action_scheduler_run_queue`) at most once a minute: a
 * request to /wp-cron.php within a minute of the last run sends nothing, so waiting for WP-Cron
 * cost the suite a minute per round of deliveries. `GET /?neuroon-test-run-queue` from loopback
 * does what that cron event does (the same QueueRunner::run, the same batches, deliveries back to
 * back) at once, and answers how many actions it ran and how many webhook deliveries are still
 * pending.
 */
add_action(
	'wp_loaded',
	function () {
		if ( ! isset( $_GET['neuroon-test-run-queue'] ) ) {
			return;
		}
		if ( ! in_array( $_SERVER['REMOTE_ADDR'] ?? '', array( '127.0.0.1', '::1' ), true ) ) {
			status_header( 403 );
			exit;
		}
		$processed = ActionScheduler_QueueRunner::instance()->run( 'WP Cron' );
		$pending   = 0;
		foreach ( array( ActionScheduler_Store::STATUS_PENDING, ActionScheduler_Store::STATUS_RUNNING ) as $status ) {
			$pending += (int) ActionScheduler::store()->query_actions(
				array(
					'hook'   => 'woocommerce_deliver_webhook_async',
					'status' => $status,
				),
				'count'
			);
		}
		wp_send_json(
			array(
				'processed' => $processed,
				'pending'   => $pending,
			)
		);
	}
);
