// The HTML description both mapping benches feed the mappers. Every product's description is
// its own string (its number, name and figures woven into the text), so nothing keyed by the
// description could make a row look faster than a real catalogue. Same structure and size as a
// typical WooCommerce description: ~0.9 KB with a list, a table, a script, entities and a
// shortcode.
export function descriptionHtml(i) {
  return `<p>Our <strong>Classic Organic T-Shirt ${i}</strong> is cut for an easy, relaxed fit
and made to last wash after wash. The fabric is soft, breathable &amp; pre-shrunk.</p>
<h3>Details of style TS-${i}</h3>
<ul>
  <li>100&nbsp;% organic cotton, ${160 + (i % 40)}&nbsp;g/m²</li>
  <li>Ribbed crew neck with taped shoulder seams</li>
  <li>Double-needle hems on sleeves and bottom</li>
  <li>Printed neck label &ndash; no scratchy tags</li>
</ul>
[gallery ids="${i},${i + 1},${i + 2}"]
<p>Care: machine wash cold with similar colours, tumble dry low, do not bleach. Iron on the reverse
side. Made in Portugal in a <em>GOTS-certified</em> factory that pays a living wage.</p>
<table><tr><th>Size</th><th>Chest (cm)</th></tr><tr><td>S</td><td>${90 + (i % 9)}</td></tr><tr><td>M</td><td>${100 + (i % 7)}</td></tr>
<tr><td>L</td><td>${108 + (i % 5)}</td></tr></table><script>window.dataLayer = window.dataLayer || [];</script>
<!-- wp:paragraph --><p>Free returns within ${14 + (i % 30)} days.</p>`;
}
