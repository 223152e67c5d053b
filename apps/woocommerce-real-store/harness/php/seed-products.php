<?php
// Included by configure-wc.php (WordPress loaded, user 1). Sample data + edge-case products.

// 1) WooCommerce's own sample data, images stripped (their URLs are on the internet).
add_filter( 'woocommerce_product_importer_parsed_data', function ( $data ) {
	unset( $data['raw_image_id'], $data['raw_gallery_image_ids'] );
	return $data;
} );
// The importer stops after 20 s unless told otherwise (the admin UI calls it again in batches).
add_filter( 'woocommerce_product_csv_importer_args', function ( $args ) {
	$args['prevent_timeouts'] = false;
	return $args;
} );
$import = \Automattic\WooCommerce\Admin\API\OnboardingTasks::import_sample_products_from_csv( WC_ABSPATH . 'sample-data/sample_products.csv' );
if ( is_wp_error( $import ) ) { fwrite( STDERR, $import->get_error_message() . "\n" ); exit( 1 ); }
printf( "sample import: %d imported, %d updated, %d failed, %d skipped\n", count( $import['imported'] ), count( $import['updated'] ?? array() ), count( $import['failed'] ), count( $import['skipped'] ) );
foreach ( $import['failed'] as $f ) { echo '  failed: ' . ( is_wp_error( $f ) ? $f->get_error_message() : json_encode( $f ) ) . "\n"; }

// 2) Local images (GD), so products have real attachment URLs on the store.
function realwoo_image( $name, $rgb ) {
	$im = imagecreatetruecolor( 320, 320 );
	imagefill( $im, 0, 0, imagecolorallocate( $im, $rgb[0], $rgb[1], $rgb[2] ) );
	imagestring( $im, 5, 20, 150, $name, imagecolorallocate( $im, 255, 255, 255 ) );
	ob_start(); imagepng( $im ); $png = ob_get_clean();
	$up = wp_upload_bits( sanitize_file_name( $name ) . '.png', null, $png );
	if ( ! empty( $up['error'] ) ) { fwrite( STDERR, $up['error'] . "\n" ); return 0; }
	$id = wp_insert_attachment( array( 'post_mime_type' => 'image/png', 'post_title' => $name, 'post_status' => 'inherit' ), $up['file'] );
	wp_update_attachment_metadata( $id, wp_generate_attachment_metadata( $id, $up['file'] ) );
	return $id;
}
$palette = array( array( 200, 40, 40 ), array( 40, 120, 200 ), array( 40, 160, 80 ), array( 120, 60, 160 ), array( 200, 140, 20 ) );
$i = 0;
foreach ( wc_get_products( array( 'limit' => -1, 'type' => array( 'simple', 'variable', 'external', 'grouped' ) ) ) as $p ) {
	$p->set_image_id( realwoo_image( $p->get_name(), $palette[ $i++ % 5 ] ) );
	$p->save();
}

// 3) Taxonomies: nested categories and core Brands.
function realwoo_term( $name, $tax, $parent = 0 ) {
	$t = term_exists( $name, $tax, $parent );
	if ( ! $t ) { $t = wp_insert_term( $name, $tax, array( 'parent' => $parent ) ); }
	return (int) $t['term_id'];
}
$electronics = realwoo_term( 'Electronics', 'product_cat' );
$audio       = realwoo_term( 'Audio', 'product_cat', $electronics );
$headphones  = realwoo_term( 'Headphones & Earbuds', 'product_cat', $audio );
$speakers    = realwoo_term( 'Speakers', 'product_cat', $audio );
$books       = realwoo_term( 'Books', 'product_cat' );
$sonora      = realwoo_term( 'Sonora', 'product_brand' );
$sonora_pro  = realwoo_term( 'Sonora Pro', 'product_brand', $sonora );
$acme        = realwoo_term( 'Acme & Co', 'product_brand' );
// Names WordPress stores escaped (`&` and a lone `<` become entities; a `<tag>` would be stripped).
$tricky_tag  = realwoo_term( 'Rock & "Roll" <3', 'product_tag' );
$tricky_cat  = realwoo_term( 'Fish & Chips < 5 €', 'product_cat' );

$long_html = '<h2>Studio sound</h2><p>Closed-back &amp; over-ear headphones with 50&nbsp;mm drivers &mdash; the &#8220;reference&#8221; for mixing.</p>'
	. '<ul><li>Frequency response: 5&ndash;40,000 Hz</li><li>Impedance: 32 &Omega;</li></ul>'
	. '[caption id="attachment_1" align="alignnone" width="300"]Caption text inside a shortcode[/caption]'
	. '<script>alert("x")</script><style>.a{color:red}</style>'
	. str_repeat( '<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam.</p>', 25 );

function realwoo_simple( $args ) {
	$p = new WC_Product_Simple();
	$p->set_props( $args['props'] );
	if ( isset( $args['cats'] ) ) { $p->set_category_ids( $args['cats'] ); }
	$p->save();
	if ( isset( $args['brands'] ) ) { wp_set_object_terms( $p->get_id(), $args['brands'], 'product_brand' ); }
	if ( isset( $args['password'] ) ) { wp_update_post( array( 'ID' => $p->get_id(), 'post_password' => $args['password'] ) ); }
	echo "  created {$p->get_id()} {$p->get_name()} ({$p->get_status()})\n";
	return $p->get_id();
}
$now = time();
$ids = array();
$ids['studio'] = realwoo_simple( array( 'props' => array( 'name' => 'Sonora Studio Headphones', 'sku' => 'SON-STUDIO', 'status' => 'publish', 'regular_price' => '199.99', 'sale_price' => '149.99', 'date_on_sale_from' => $now - 86400, 'date_on_sale_to' => $now + 30 * 86400, 'description' => $long_html, 'short_description' => '', 'manage_stock' => true, 'stock_quantity' => 7, 'image_id' => realwoo_image( 'Studio', array( 10, 10, 10 ) ) ), 'cats' => array( $headphones, $tricky_cat ), 'brands' => array( $sonora_pro ) ) );
wp_set_object_terms( $ids['studio'], array( $tricky_tag ), 'product_tag' );
$ids['future'] = realwoo_simple( array( 'props' => array( 'name' => 'Acme Bluetooth Speaker', 'sku' => 'ACME-SPK', 'status' => 'publish', 'regular_price' => '59.00', 'sale_price' => '39.00', 'date_on_sale_from' => $now + 7 * 86400, 'date_on_sale_to' => $now + 14 * 86400, 'short_description' => '<p>Loud &amp; clear. <strong>Waterproof</strong>.</p>' ), 'cats' => array( $speakers ), 'brands' => array( $acme ) ) );
$ids['expired'] = realwoo_simple( array( 'props' => array( 'name' => 'Acme Mini Speaker', 'sku' => 'ACME-MINI', 'status' => 'publish', 'regular_price' => '29.00', 'sale_price' => '19.00', 'date_on_sale_from' => $now - 14 * 86400, 'date_on_sale_to' => $now - 7 * 86400, 'short_description' => 'Small speaker.' ), 'cats' => array( $speakers ), 'brands' => array( $acme ) ) );
$ids['book'] = realwoo_simple( array( 'props' => array( 'name' => 'The Sound Book', 'sku' => 'BOOK-1', 'status' => 'publish', 'regular_price' => '20.00', 'tax_class' => 'reduced-rate', 'short_description' => 'A book (7% VAT).' ), 'cats' => array( $books ) ) );
$ids['giftcard'] = realwoo_simple( array( 'props' => array( 'name' => 'Gift Card 50', 'sku' => 'GIFT-50', 'status' => 'publish', 'regular_price' => '50.00', 'tax_status' => 'none', 'virtual' => true, 'short_description' => 'Not taxable.' ) ) );
$ids['oos'] = realwoo_simple( array( 'props' => array( 'name' => 'Sold Out Cable', 'sku' => 'CABLE-OOS', 'status' => 'publish', 'regular_price' => '9.99', 'manage_stock' => true, 'stock_quantity' => 0, 'backorders' => 'no' ), 'cats' => array( $audio ) ) );
$ids['backorder'] = realwoo_simple( array( 'props' => array( 'name' => 'Backorder Amp', 'sku' => 'AMP-BO', 'status' => 'publish', 'regular_price' => '300.00', 'manage_stock' => true, 'stock_quantity' => -2, 'backorders' => 'notify' ), 'cats' => array( $audio ) ) );
$ids['amp_name'] = realwoo_simple( array( 'props' => array( 'name' => 'Salt &amp; Pepper Grinder', 'sku' => 'SALT-PEP', 'status' => 'publish', 'regular_price' => '12.50', 'short_description' => 'Name stored with an HTML entity, as wp-admin does for users without unfiltered_html.' ) ) );
$ids['draft'] = realwoo_simple( array( 'props' => array( 'name' => 'Draft Prototype', 'sku' => 'DRAFT-1', 'status' => 'draft', 'regular_price' => '10.00' ) ) );
$ids['pending'] = realwoo_simple( array( 'props' => array( 'name' => 'Pending Review Item', 'sku' => 'PEND-1', 'status' => 'pending', 'regular_price' => '10.00' ) ) );
$ids['private'] = realwoo_simple( array( 'props' => array( 'name' => 'Private VIP Item', 'sku' => 'PRIV-1', 'status' => 'private', 'regular_price' => '999.00' ) ) );
$ids['hidden'] = realwoo_simple( array( 'props' => array( 'name' => 'Hidden Visibility Item', 'sku' => 'HIDDEN-1', 'status' => 'publish', 'catalog_visibility' => 'hidden', 'regular_price' => '5.00' ) ) );
$ids['catalogonly'] = realwoo_simple( array( 'props' => array( 'name' => 'Catalog-only Item', 'sku' => 'CATONLY-1', 'status' => 'publish', 'catalog_visibility' => 'catalog', 'regular_price' => '5.00' ) ) );
$ids['password'] = realwoo_simple( array( 'props' => array( 'name' => 'Password Protected Item', 'sku' => 'PASS-1', 'status' => 'publish', 'regular_price' => '15.00' ), 'password' => 'secret' ) );
$ids['noprice'] = realwoo_simple( array( 'props' => array( 'name' => 'No Price Item', 'sku' => 'NOPRICE-1', 'status' => 'publish' ) ) );

// Variable product with a global attribute (pa_color), a disabled variation, a sale variation.
$attr_id = wc_attribute_taxonomy_id_by_name( 'pa_color' );
if ( ! $attr_id ) {
	$attr_id = wc_create_attribute( array( 'name' => 'Color', 'slug' => 'color', 'type' => 'select' ) );
	register_taxonomy( 'pa_color', array( 'product' ), array() );
}
$colors = array();
foreach ( array( 'Black', 'White', 'Red', 'Black & Gold' ) as $c ) { $colors[ $c ] = realwoo_term( $c, 'pa_color' ); }
$pa = new WC_Product_Attribute();
$pa->set_id( $attr_id ); $pa->set_name( 'pa_color' ); $pa->set_options( array_values( $colors ) ); $pa->set_visible( true ); $pa->set_variation( true );
$local = new WC_Product_Attribute();
$local->set_name( 'Fit' ); $local->set_options( array( 'In-ear', 'Sport' ) ); $local->set_visible( true ); $local->set_variation( true );
$var = new WC_Product_Variable();
$var->set_props( array( 'name' => 'Sonora Earbuds', 'sku' => 'SON-EAR', 'status' => 'publish', 'short_description' => 'True wireless earbuds.', 'image_id' => realwoo_image( 'Earbuds', array( 60, 60, 60 ) ) ) );
$var->set_attributes( array( $pa, $local ) );
$var->set_category_ids( array( $headphones ) );
$var->save();
wp_set_object_terms( $var->get_id(), array( $sonora ), 'product_brand' );
$defs = array(
	array( 'Black', 'In-ear', '79.00', '', 'publish', 12 ),
	array( 'White', 'In-ear', '79.00', '69.00', 'publish', 3 ),
	array( 'Red', 'Sport', '89.00', '', 'publish', 0 ),
	array( 'Black', 'Sport', '59.00', '', 'private', 5 ), // disabled variation, cheapest
	array( 'Black & Gold', 'Sport', '99.00', '', 'publish', 2 ), // a term name WordPress stores as "Black &amp; Gold"
);
foreach ( $defs as $d ) {
	$v = new WC_Product_Variation();
	$v->set_parent_id( $var->get_id() );
	$v->set_attributes( array( 'pa_color' => get_term( $colors[ $d[0] ] )->slug, 'fit' => $d[1] ) );
	$v->set_props( array( 'regular_price' => $d[2], 'sale_price' => $d[3], 'status' => $d[4], 'manage_stock' => true, 'stock_quantity' => $d[5], 'sku' => 'SON-EAR-' . strtoupper( sanitize_title( $d[0] ) . '-' . $d[1] ) ) );
	if ( 'Red' === $d[0] ) { $v->set_image_id( realwoo_image( 'Earbuds Red', array( 220, 0, 0 ) ) ); }
	$v->save();
}
WC_Product_Variable::sync( $var->get_id() );
echo "  created {$var->get_id()} Sonora Earbuds (variable)\n";
file_put_contents( getenv( 'REALWOO_DIR' ) . '/state/seed-ids.json', json_encode( $ids + array( 'earbuds' => $var->get_id() ), JSON_PRETTY_PRINT ) );
