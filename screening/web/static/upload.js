// Upload progress for the upload form (served from /static; no inline script anywhere).
// Without JavaScript the form posts normally; with it, the same POST goes through
// XMLHttpRequest so a progress bar can show, and the receipt page replaces this one.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData || !window.DOMParser) { return; }
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  var submit = document.getElementById("upload-submit");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action"));
    bar.hidden = false;
    status.hidden = false;
    submit.disabled = true;
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
    });
    xhr.addEventListener("load", function () {
      var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
      document.title = page.title;
      document.body.replaceWith(document.adoptNode(page.body));
      window.scrollTo(0, 0);
    });
    xhr.addEventListener("error", function () { form.submit(); });
    xhr.send(new FormData(form));
  });
}());
