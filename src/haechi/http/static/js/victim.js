// The victim page: pick files, preview them here only (blurred), hash them here, send the hashes.
// The one request this page makes carries JSON with hashes; the files are never read into a
// request. The case number and PIN come back once and are shown once.

import { hashFile, MediaError } from "./media.js";

const PDQ_MIN_QUALITY = 50; // haechi's floor: below it a PDQ hash is not matched
const text = JSON.parse(document.getElementById("victim-text").textContent);
const form = document.getElementById("victim-form");
const $ = (id) => document.getElementById(id);
const picked = []; // { id, file, url, state: "hashing" | "ready" | "failed", result, li }
let nextId = 0;
let queue = Promise.resolve();

function element(tag, props = {}, children = []) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function thumbnail(entry) {
  const box = element("div", { className: "thumb" });
  if (entry.file.type.startsWith("image/")) {
    entry.url = URL.createObjectURL(entry.file);
    const img = element("img", { src: entry.url, alt: "" });
    // a format this browser cannot show (e.g. HEIC): say so instead of a broken image
    img.addEventListener("error", () => img.replaceWith(text.no_preview));
    box.append(img);
  } else {
    box.append(element("span", { textContent: `▶ ${text.video}` }));
  }
  return box;
}

function addFile(file) {
  const entry = { id: nextId++, file, url: null, state: "hashing", result: null };
  const state = element("span", { className: "state", textContent: text.hashing });
  const remove = element("button", {
    type: "button",
    className: "secondary",
    textContent: text.remove,
  });
  remove.setAttribute("aria-label", `${text.remove}: ${file.name}`);
  remove.addEventListener("click", () => removeEntry(entry));
  entry.li = element("li", {}, [
    thumbnail(entry),
    element("span", { className: "name", textContent: file.name, title: file.name }),
    state,
    remove,
  ]);
  entry.stateNode = state;
  picked.push(entry);
  $("picked").append(entry.li);
  queue = queue.then(() => hashEntry(entry)); // one at a time: bounded memory on a phone
  refresh();
}

async function hashEntry(entry) {
  if (!picked.includes(entry)) return;
  try {
    entry.result = await hashFile(entry.file);
    entry.state = "ready";
    entry.stateNode.textContent = readyText(entry.result);
  } catch (error) {
    entry.state = "failed";
    const reason = error instanceof MediaError ? error.reason : "failed";
    entry.stateNode.textContent = text[reason] ?? text.failed;
  }
  entry.stateNode.className = `state ${entry.state}`;
  refresh();
}

function readyText(result) {
  if (result.content_type === "video") return text.ready_video;
  if (result.signals.pdq === undefined) return text.exact_only;
  if (result.quality.pdq < PDQ_MIN_QUALITY) return text.low_quality;
  return text.ready;
}

function removeEntry(entry) {
  const index = picked.indexOf(entry);
  if (index >= 0) picked.splice(index, 1);
  if (entry.url) URL.revokeObjectURL(entry.url);
  entry.li.remove();
  refresh();
  $("files").focus();
}

function payload() {
  const platform = $("platform").value;
  const location = $("location").value.trim();
  return {
    lang: form.dataset.lang,
    items: picked
      .filter((e) => e.state === "ready")
      .map(({ result }) => ({
        content_type: result.content_type,
        signals: result.signals,
        quality: result.quality,
      })),
    platform: platform || null,
    location: location || null,
    confirm: $("confirm").checked,
  };
}

function refresh() {
  const ready = picked.filter((e) => e.state === "ready").length;
  $("picked-count").textContent = picked.length ? `${ready} / ${picked.length} ${text.count}` : "";
  $("blur-toggle").hidden = !picked.some((e) => e.url);
  $("payload").textContent = JSON.stringify(payload(), null, 1);
}

function problem() {
  if (!picked.some((e) => e.state === "ready")) return text.no_files;
  if (picked.some((e) => e.state === "hashing")) return text.wait;
  if (!$("confirm").checked) return text.need_confirm;
  return null;
}

async function send(event) {
  event.preventDefault();
  const message = $("message");
  message.className = "message";
  const blocker = problem();
  if (blocker) {
    message.textContent = blocker;
    return;
  }
  $("send").disabled = true;
  message.className = "message ok";
  message.textContent = text.sending;
  try {
    const response = await fetch("/victim/reports", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(payload()),
      credentials: "omit",
      cache: "no-store",
    });
    if (response.status === 201) return done(await response.json());
    message.className = "message";
    message.textContent = response.status === 429 ? text.rate_limited : text.failed_send;
  } catch {
    message.className = "message";
    message.textContent = text.failed_send;
  } finally {
    $("send").disabled = false;
  }
}

function done(receipt) {
  for (const entry of picked.splice(0)) if (entry.url) URL.revokeObjectURL(entry.url);
  form.hidden = true;
  form.reset();
  $("picked").replaceChildren();
  $("done-title").textContent = text.done_title;
  $("done-lead").textContent = text.done_lead;
  $("done-case").textContent = receipt.case_number;
  $("done-pin").textContent = receipt.pin;
  const note = `haechi\n${receipt.case_number}\nPIN ${receipt.pin}\n${window.location.origin}/victim/status\n`;
  const save = $("done-save");
  save.href = URL.createObjectURL(new Blob([note], { type: "text/plain" }));
  save.download = `haechi-${receipt.case_number}.txt`;
  save.textContent = text.save;
  const status = $("done-status");
  status.href = `/victim/status?lang=${form.dataset.lang}&case=${encodeURIComponent(receipt.case_number)}`;
  status.textContent = text.status;
  const panel = $("done");
  panel.hidden = false;
  panel.focus();
}

$("files").addEventListener("change", (event) => {
  for (const file of event.target.files) addFile(file);
  event.target.value = ""; // the same file can be picked again after removal
});
$("blur-toggle").addEventListener("click", (event) => {
  const button = event.currentTarget;
  const clear = button.getAttribute("aria-pressed") !== "true";
  button.setAttribute("aria-pressed", String(clear));
  button.textContent = clear ? button.dataset.hide : button.dataset.show;
  $("picked").classList.toggle("blurred", !clear);
});
form.addEventListener("input", refresh);
form.addEventListener("submit", send);
refresh();
