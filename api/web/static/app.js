// The patient page: sign in with a token, upload reports, follow their jobs, review results, read guidance,
// tell us what the reports may not say, export or delete everything. All data comes from the /v1 API.

import { ApiFailure, call, forgetToken, json, sendJson, setToken, token } from "./api.js";
import { el, finding, guidanceNodes, jobLine } from "./render.js";

const $ = (id) => document.getElementById(id);
const POLL_MS = 1000;
let session = 0; // bumped at sign-out, so polls and answers started for the last patient are dropped
let storedContext = {};

function say(message) {
  $("alert").hidden = true;
  $("status").textContent = message;
}

function fail(error) {
  const message = error instanceof ApiFailure ? error.message : "Something went wrong. Please try again.";
  $("alert").textContent = message;
  $("alert").hidden = false;
  if (error instanceof ApiFailure && error.status === 401) signOut(false);
}

/** An event handler that shows what went wrong in the alert instead of losing it. */
function caught(action) {
  return (event) => action(event).catch(fail);
}

/** Run an action from a control: errors go to the alert, and the control cannot be pressed twice meanwhile. */
function guarded(control, action) {
  return async (event) => {
    event.preventDefault();
    control.setAttribute("aria-busy", "true");
    if ("disabled" in control) control.disabled = true;
    try {
      await action(event);
    } catch (error) {
      fail(error);
    } finally {
      control.removeAttribute("aria-busy");
      if ("disabled" in control) control.disabled = false;
    }
  };
}

function showSignedIn(signedIn) {
  $("signin-form").hidden = signedIn;
  $("signed-in").hidden = !signedIn;
  for (const section of document.querySelectorAll(".needs-token")) section.hidden = !signedIn;
}

async function signIn() {
  const value = $("token").value.trim();
  if (!value) throw new ApiFailure(0, "Paste your access token first.");
  setToken(value);
  $("token").value = "";
  await loadProfile();
  say("Signed in.");
  $("results-heading").focus();
}

function signOut(announce = true) {
  session += 1;
  forgetToken();
  storedContext = {};
  // Nothing of this patient may stay on the page for whoever signs in next.
  for (const id of ["findings", "jobs", "chosen", "guidance"]) $(id).replaceChildren();
  for (const id of ["results-summary"]) $(id).textContent = "";
  $("jobs-empty").hidden = false;
  $("context-form").reset();
  $("upload-form").reset();
  $("delete-confirm").hidden = true;
  showSignedIn(false);
  if (announce) say("Signed out.");
}

async function loadProfile() {
  const mine = session;
  const profile = await json("/v1/me/profile");
  if (mine !== session) return;
  showSignedIn(true);
  showFindings(profile);
  showContext(profile.context || {});
}

function showFindings(profile) {
  const count = profile.findings.length;
  $("results-summary").textContent = count
    ? `${count} values from ${profile.documents} document(s).`
    : "No results yet. Upload a report to see what we read from it.";
  $("findings").replaceChildren(...profile.findings.map(finding));
}

// --- uploads and their jobs ---

function chosenFiles() {
  return Array.from($("files").files);
}

function listChosen() {
  $("chosen").replaceChildren(...chosenFiles().map((file) => el("li", {}, file.name)));
}

async function upload() {
  const files = chosenFiles();
  if (!files.length) throw new ApiFailure(0, "Choose at least one file to upload.");
  const form = new FormData();
  for (const file of files) form.append("files", file, file.name);
  const answer = await json("/v1/documents", { method: "POST", body: form });
  $("upload-form").reset();
  listChosen();
  $("jobs-empty").hidden = true;
  answer.jobs.forEach((job, index) => follow(job.id, files[index] ? files[index].name : "report"));
  say(`${answer.jobs.length} file(s) received. We are reading them now.`);
}

function follow(jobId, name) {
  const mine = session;
  const line = jobLine(name);
  $("jobs").append(line.node);
  const poll = async () => {
    if (mine !== session) return;
    try {
      const job = await json(`/v1/jobs/${encodeURIComponent(jobId)}`);
      if (mine !== session) return;
      line.show(job);
      if (job.status === "done") {
        say(`${name} is read. Your results are updated.`);
        await loadProfile();
      } else if (job.status !== "failed" && job.status !== "cancelled") {
        setTimeout(poll, POLL_MS);
      }
    } catch (error) {
      line.fail(error instanceof ApiFailure ? error.message : "Could not check this file.");
    }
  };
  poll();
}

// --- confirm and correct ---

async function onFindingClick(event) {
  const button = event.target.closest("button[data-action]");
  const item = event.target.closest(".finding");
  if (!button || !item) return;
  const form = item.querySelector(".correct-form");
  if (button.dataset.action === "correct") {
    form.hidden = false;
    form.querySelector("input").focus();
  } else if (button.dataset.action === "cancel") {
    form.hidden = true;
    item.querySelector("button[data-action=correct]").focus();
  } else if (button.dataset.action === "confirm") {
    await json(`/v1/me/findings/${encodeURIComponent(item.dataset.finding)}/confirm`, { method: "POST" });
    say(`Thank you: ${item.querySelector("h3").textContent} confirmed.`);
    await loadProfile();
  }
}

async function onCorrection(event) {
  event.preventDefault();
  const item = event.target.closest(".finding");
  const value = event.target.querySelector("input").value.trim();
  if (!item || !value) throw new ApiFailure(0, "Type the right value first.");
  await sendJson(`/v1/me/findings/${encodeURIComponent(item.dataset.finding)}/correct`, "POST", { value });
  say("Thank you: your correction is saved next to the original value.");
  await loadProfile();
}

// --- guidance ---

async function showGuidance() {
  if (await loadGuidance()) say("Your guidance is shown below.");
}

async function loadGuidance() {
  const mine = session;
  const html = await (await call("/v1/me/guidance?format=html")).text();
  if (mine !== session) return false;
  $("guidance").replaceChildren(guidanceNodes(html));
  return true;
}

// --- context ---

function showContext(context) {
  storedContext = context;
  $("menopausal").value = context.menopausal_status || "";
  $("setting").value = context.metastatic === true ? "metastatic" : context.metastatic === false ? "early" : "";
  const treatments = Array.isArray(context.treatments) ? context.treatments : [];
  $("treatments").value = treatments.map((t) => (t.status ? `${t.name} (${t.status})` : t.name)).join("\n");
  $("notes").value = context.notes || "";
}

function treatmentsFrom(text) {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const match = /^(.*?)\s*\((current|past|planned)\)$/i.exec(line);
      return match ? { name: match[1], status: match[2].toLowerCase() } : { name: line };
    });
}

async function saveContext() {
  // PUT replaces the whole context: keep what this form does not show (age, sites ...) as it was.
  const context = { ...storedContext, treatments: treatmentsFrom($("treatments").value) };
  const setting = $("setting").value;
  delete context.menopausal_status;
  delete context.metastatic;
  delete context.notes;
  if ($("menopausal").value) context.menopausal_status = $("menopausal").value;
  if (setting) context.metastatic = setting === "metastatic";
  if ($("notes").value.trim()) context.notes = $("notes").value.trim();
  storedContext = await sendJson("/v1/me/context", "PUT", context);
  // Guidance on show is rebuilt first, so this message is the last word and not replaced by the rebuild's.
  if ($("guidance").childElementCount) await loadGuidance();
  say("Saved. Your guidance now takes this into account.");
}

// --- export and delete ---

async function exportData() {
  const blob = await (await call("/v1/me/export")).blob();
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: "navis-my-data.fhir.json", hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  say("Your data is downloaded as a FHIR Bundle (navis-my-data.fhir.json).");
}

async function deleteData() {
  await call("/v1/me", { method: "DELETE" });
  signOut(false);
  say("Your data is deleted, and your token no longer works.");
}

function wire() {
  $("signin-form").addEventListener("submit", guarded($("signin-form"), signIn));
  $("signout").addEventListener("click", () => signOut());
  $("print").addEventListener("click", () => window.print());
  $("files").addEventListener("change", listChosen);
  $("upload-form").addEventListener("submit", guarded($("upload-form"), upload));
  const zone = $("dropzone");
  zone.addEventListener("dragover", (event) => {
    event.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    $("files").files = event.dataTransfer.files;
    listChosen();
  });
  $("findings").addEventListener("click", caught(onFindingClick));
  $("findings").addEventListener("submit", caught(onCorrection));
  $("refresh-results").addEventListener("click", guarded($("refresh-results"), loadProfile));
  $("show-guidance").addEventListener("click", guarded($("show-guidance"), showGuidance));
  $("context-form").addEventListener("submit", guarded($("context-form"), saveContext));
  $("export").addEventListener("click", guarded($("export"), exportData));
  $("delete").addEventListener("click", () => {
    $("delete-confirm").hidden = false;
    $("delete-no").focus();
  });
  $("delete-no").addEventListener("click", () => {
    $("delete-confirm").hidden = true;
    $("delete").focus();
  });
  $("delete-yes").addEventListener("click", guarded($("delete-yes"), deleteData));
}

wire();
if (token()) loadProfile().catch(fail);
