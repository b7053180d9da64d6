/* A constituency page: the sender's name and address fill the letter and the email as text
 * (textContent only), "Download the email draft" writes the .eml in this browser, and "Print the
 * signed letter" prints the letter alone. Nothing typed is sent, stored or put in the address. */
(function () {
  "use strict";
  var draft = JSON.parse(document.getElementById("draft-data").textContent);
  var nameInput = document.getElementById("sender-name");
  var addressInput = document.getElementById("sender-address");
  var status = document.getElementById("draft-status");
  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                "November", "December"];
  var DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

  function slots(name) { return Array.prototype.slice.call(document.querySelectorAll('[data-slot="' + name + '"]')); }

  function two(number) { return (number < 10 ? "0" : "") + number; }

  function longDate(day) { return day.getDate() + " " + MONTHS[day.getMonth()] + " " + day.getFullYear(); }

  // email.utils.format_datetime of the day at midnight, zone unknown: as `build.py brief` dates its draft.
  function headerDate(day) {
    return DAYS[day.getDay()] + ", " + two(day.getDate()) + " " + MONTHS[day.getMonth()].slice(0, 3) + " " +
      day.getFullYear() + " 00:00:00 -0000";
  }

  function senderName() { return nameInput.value; }

  function addressLines() {
    return addressInput.value.split(/\r\n|\r|\n/).map(function (line) { return line.trim(); })
      .filter(function (line) { return line; }).join("\n");
  }

  function setText(nodes, text) {
    nodes.forEach(function (node) {
      node.textContent = text;
      node.classList.toggle("filled", Boolean(text));
    });
  }

  function update() {
    setText(slots("sender_name"), senderName());
    setText(slots("sender_address"), addressLines());
    slots("email_sender_name").forEach(function (node) {
      node.textContent = senderName() || draft.name_placeholder;
      node.classList.toggle("filled", Boolean(senderName()));
    });
  }

  function emailBody() {  // the template's one-pass fill: a typed "{{...}}" stays as typed
    return draft.body.split(draft.sender_slot).join(senderName() || draft.name_placeholder);
  }

  function base64Lines(bytes) {
    var binary = "";
    for (var i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary).replace(/.{1,76}/g, "$&\r\n");
  }

  function boundary() {
    var random = new Uint8Array(12);
    crypto.getRandomValues(random);
    return "===============" + Array.prototype.map.call(random, function (b) { return (b + 256).toString(16).slice(1); }).join("") + "==";
  }

  // The same message `build.py brief` writes: its To and Subject lines come from Python's email package.
  function message(attachments) {
    var mark = boundary();
    var body = new TextEncoder().encode(emailBody().replace(/\r?\n/g, "\r\n"));
    var parts = [draft.to_header, draft.subject_header, "Date: " + headerDate(new Date()) + "\r\n", "X-Unsent: 1\r\n",
                 "MIME-Version: 1.0\r\n", 'Content-Type: multipart/mixed; boundary="' + mark + '"\r\n', "\r\n",
                 "--" + mark + "\r\n", 'Content-Type: text/plain; charset="utf-8"\r\n',
                 "Content-Transfer-Encoding: base64\r\n", "\r\n", base64Lines(body), "\r\n"];
    attachments.forEach(function (attachment) {
      parts.push("--" + mark + "\r\n", "Content-Type: application/pdf\r\n", "Content-Transfer-Encoding: base64\r\n",
                 'Content-Disposition: attachment; filename="' + attachment.name + '"\r\n', "MIME-Version: 1.0\r\n",
                 "\r\n", base64Lines(attachment.bytes), "\r\n");
    });
    parts.push("--" + mark + "--\r\n");
    return new Blob(parts, {type: "message/rfc822"});
  }

  function fetchAttachment(attachment) {
    return fetch(attachment.href, {credentials: "omit"}).then(function (response) {
      if (!response.ok) { throw new Error(attachment.name + ": HTTP " + response.status); }
      return response.arrayBuffer();
    }).then(function (buffer) { return {name: attachment.name, bytes: new Uint8Array(buffer)}; });
  }

  function save(blob) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = draft.filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000);
  }

  function download() {
    status.textContent = "Making the email draft…";
    Promise.all(draft.attachments.map(fetchAttachment)).then(function (attachments) {
      save(message(attachments));
      status.textContent = "The email draft " + draft.filename + " is in your downloads. Open it, check it, and send it " +
        "from your own email program.";
    }, function () {
      status.textContent = "The briefing could not be fetched to attach it. Check your connection and try again.";
    });
  }

  function printLetter() {
    document.body.classList.add("printing-letter");
    window.print();
  }

  window.addEventListener("afterprint", function () { document.body.classList.remove("printing-letter"); });
  nameInput.addEventListener("input", update);
  addressInput.addEventListener("input", update);
  document.getElementById("download-email").addEventListener("click", download);
  document.getElementById("print-letter").addEventListener("click", printLetter);
  slots("date").forEach(function (node) { node.textContent = longDate(new Date()); });
  Array.prototype.forEach.call(document.querySelectorAll(".js-only"), function (node) { node.hidden = false; });
  Array.prototype.forEach.call(document.querySelectorAll(".no-js"), function (node) { node.hidden = true; });
  update();
}());
