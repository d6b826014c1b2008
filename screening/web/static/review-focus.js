// The visit page: after a review the service refused, put the cursor in the first field
// with a problem (served from /static; no inline script anywhere). Without JavaScript the
// form's #review anchor still brings the page back to the form, each problem beside its field.
// Done once the page has loaded: the browser's scroll to the #review anchor comes first.
(function () {
  "use strict";
  window.addEventListener("load", function () {
    var field = document.querySelector('#review-form [aria-invalid="true"]');
    if (field) { field.focus(); }
  });
}());
