<?php
/** Plugin Name: Neuroon test instrumentation (a REST log without OAuth parameters; a larger batch limit). */
add_filter( 'rest_post_dispatch', function ( $response, $server, $request ) {
	$params = array_filter( $request->get_query_params(), function ( $k ) { return strpos( $k, 'oauth_' ) !== 0; }, ARRAY_FILTER_USE_KEY );
	$status = $response instanceof WP_HTTP_Response ? $response->get_status() : 0;
	$data   = $response instanceof WP_HTTP_Response ? $response->get_data() : null;
	$code   = ( $status >= 400 && is_array( $data ) && isset( $data['code'] ) ) ? ' ' . $data['code'] : '';
	file_put_contents( WP_CONTENT_DIR . '/../../logs/rest.log', gmdate( 'H:i:s' ) . ' ' . $request->get_method() . ' ' . $request->get_route() . ' ' . http_build_query( $params ) . " -> $status$code\n", FILE_APPEND );
	return $response;
}, 999, 3 );
// The suite creates 200 products in one `POST products/batch` (WooCommerce allows 100 by default).
add_filter( 'woocommerce_rest_batch_items_limit', function () { return 500; } );
