<?php
// Phase 2: WooCommerce settings, taxes, REST key, sample products. Idempotent.
require __DIR__ . '/cli-bootstrap.php';
require_once ABSPATH . 'wp-admin/includes/image.php';
require_once ABSPATH . 'wp-admin/includes/file.php';
require_once ABSPATH . 'wp-admin/includes/media.php';
wp_set_current_user( 1 );
$state = getenv( 'REALWOO_DIR' ) . '/state';

if ( ! get_option( 'woocommerce_db_version' ) ) {
	WC_Install::install();
	echo "ran WC_Install::install\n";
}

// ---- Settings: a German shop, prices entered NET, shown GROSS (incl. 19% VAT) ----
$settings = array(
	'woocommerce_coming_soon'           => 'no',
	'woocommerce_store_address'         => 'Teststr. 1',
	'woocommerce_store_city'            => 'Berlin',
	'woocommerce_store_postcode'        => '10115',
	'woocommerce_default_country'       => 'DE',
	'woocommerce_currency'              => 'EUR',
	'woocommerce_price_num_decimals'    => '2',
	'woocommerce_calc_taxes'            => 'yes',
	'woocommerce_prices_include_tax'    => getenv( 'REALWOO_PRICES_INCLUDE_TAX' ) ?: 'no',
	'woocommerce_tax_display_shop'      => getenv( 'REALWOO_TAX_DISPLAY_SHOP' ) ?: 'incl',
	'woocommerce_tax_display_cart'      => 'incl',
	'woocommerce_tax_based_on'          => 'base',
	'woocommerce_default_customer_address' => 'base',
	'woocommerce_manage_stock'          => 'yes',
	'woocommerce_allow_tracking'        => 'no',
	'woocommerce_show_marketplace_suggestions' => 'no',
	'woocommerce_onboarding_profile'    => array( 'skipped' => true ),
	'woocommerce_task_list_hidden'      => 'yes',
);
foreach ( $settings as $k => $v ) {
	update_option( $k, $v );
}

// ---- Tax rates: DE 19% standard, 7% reduced ----
global $wpdb;
if ( ! (int) $wpdb->get_var( "SELECT COUNT(*) FROM {$wpdb->prefix}woocommerce_tax_rates" ) ) {
	WC_Tax::_insert_tax_rate( array( 'tax_rate_country' => 'DE', 'tax_rate' => '19.0000', 'tax_rate_name' => 'MwSt', 'tax_rate_priority' => 1, 'tax_rate_compound' => 0, 'tax_rate_shipping' => 1, 'tax_rate_order' => 0, 'tax_rate_class' => '' ) );
	WC_Tax::_insert_tax_rate( array( 'tax_rate_country' => 'DE', 'tax_rate' => '7.0000', 'tax_rate_name' => 'MwSt ermäßigt', 'tax_rate_priority' => 1, 'tax_rate_compound' => 0, 'tax_rate_shipping' => 1, 'tax_rate_order' => 0, 'tax_rate_class' => 'reduced-rate' ) );
	echo "tax rates created\n";
}

// ---- REST API key (read_write, admin) ----
$keyfile = "$state/keys.env";
$have    = false;
if ( file_exists( $keyfile ) ) {
	$env = parse_ini_file( $keyfile );
	$ck  = $env['WOOCOMMERCE_CONSUMER_KEY'] ?? '';
	$have = $ck && $wpdb->get_var( $wpdb->prepare( "SELECT key_id FROM {$wpdb->prefix}woocommerce_api_keys WHERE consumer_key = %s", wc_api_hash( $ck ) ) );
}
if ( ! $have ) {
	$ck = 'ck_' . wc_rand_hash();
	$cs = 'cs_' . wc_rand_hash();
	$wpdb->insert( $wpdb->prefix . 'woocommerce_api_keys', array(
		'user_id' => 1, 'description' => 'Neuroon real-store suite', 'permissions' => 'read_write',
		'consumer_key' => wc_api_hash( $ck ), 'consumer_secret' => $cs, 'truncated_key' => substr( $ck, -7 ),
	) );
	file_put_contents( $keyfile, "WOOCOMMERCE_CONSUMER_KEY=$ck\nWOOCOMMERCE_CONSUMER_SECRET=$cs\n" );
	echo "REST key created\n";
}

if ( get_option( 'neuroon_test_seeded' ) ) {
	echo "products already seeded\n";
	exit( 0 );
}
require __DIR__ . '/seed-products.php';
update_option( 'neuroon_test_seeded', gmdate( 'c' ) );
echo "seeded\n";
