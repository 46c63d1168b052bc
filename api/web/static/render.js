// Building the page's patient content. Values from records always go in as text (textContent), never as HTML.

const LABELS = {
  er_status: "Estrogen receptor (ER)",
  er_percent: "ER, percent of cells",
  er_intensity: "ER staining intensity",
  er_allred: "ER Allred score",
  er_hscore: "ER H-score",
  pr_status: "Progesterone receptor (PR)",
  pr_percent: "PR, percent of cells",
  pr_intensity: "PR staining intensity",
  pr_allred: "PR Allred score",
  pr_hscore: "PR H-score",
  her2_ihc: "HER2 by immunohistochemistry (IHC)",
  her2_status: "HER2 status",
  her2_ish: "HER2 by in situ hybridization (ISH)",
  her2_ish_ratio: "HER2/CEP17 ratio",
  her2_copies: "HER2 copies per cell",
  her2_ish_group: "HER2 ISH group",
  ki67_percent: "Ki-67",
  pT: "Tumor (pT)",
  pN: "Lymph nodes (pN)",
  cT: "Tumor, clinical (cT)",
  cN: "Lymph nodes, clinical (cN)",
  M: "Metastasis (M)",
  stage_group: "Stage",
  histology: "Tumor type",
  grade: "Grade",
  brca: "BRCA1/2",
  pdl1: "PD-L1",
  tumor_size_cm: "Tumor size (cm)",
  laterality: "Side",
  oncotype_rs: "Oncotype DX recurrence score",
};

/** A readable name for a finding's field ("her2_ihc" -> "HER2 by immunohistochemistry (IHC)"). */
export function label(field) {
  return LABELS[field] || field.replaceAll("_", " ").replace(/^./, (c) => c.toUpperCase());
}

/** An element with attributes and children; strings become text nodes. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null && value !== false) node.setAttribute(name, String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

/** One finding: value, what the patient said about it, the quoted evidence with its page, and the actions. */
export function finding(item) {
  const name = label(item.field);
  const value = el("p", { class: "value" }, "Value: ", el("strong", {}, item.value));
  if (item.assertion && item.assertion !== "present") value.append(` (${item.assertion})`);
  const node = el("li", { class: "finding", "data-finding": item.id }, el("h3", {}, name), value);
  const reported = item.patient_reported;
  if (reported && reported.action === "correct") {
    node.append(el("p", { class: "reported" }, "You corrected this to: ", el("strong", {}, reported.value || "")));
  } else if (reported) {
    node.append(el("p", { class: "reported" }, "You confirmed this value."));
  }
  for (const evidence of item.evidence) {
    node.append(
      el(
        "figure",
        { class: "evidence" },
        el("blockquote", {}, evidence.quote),
        el("figcaption", {}, `${item.document_name}, page ${evidence.page}`),
      ),
    );
  }
  const inputId = `correct-${item.id}`;
  const form = el(
    "form",
    { class: "correct-form", hidden: true, novalidate: true },
    el("label", { for: inputId }, `Right value for ${name}`),
    el("input", { id: inputId, name: "value", type: "text", required: true, maxlength: 255, autocomplete: "off" }),
    el("button", { type: "submit" }, "Save correction"),
    el("button", { type: "button", "data-action": "cancel" }, "Cancel"),
  );
  node.append(
    el(
      "div",
      { class: "actions" },
      el("button", { type: "button", "data-action": "confirm", "aria-label": `Confirm ${name}` }, "Confirm"),
      el("button", { type: "button", "data-action": "correct", "aria-label": `Correct ${name}` }, "Correct…"),
    ),
    form,
  );
  return node;
}

/** A job's line: file name, status, stage, progress bar, and the error the API gave if it failed. */
export function jobLine(name) {
  const text = el("span", { class: "job-status" }, "queued");
  const bar = el("progress", { max: 1, value: 0, "aria-label": `Progress of ${name}` });
  const error = el("p", { class: "job-error", hidden: true });
  const node = el("li", { class: "job" }, el("span", { class: "job-name" }, name), ": ", text, " ", bar, error);
  return {
    node,
    show(job) {
      node.dataset.status = job.status;
      const stage = job.stage && job.status === "running" ? `, ${job.stage}` : "";
      text.textContent = `${job.status}${stage}`;
      bar.value = job.status === "done" ? 1 : Number(job.progress) || 0;
      if (job.error && job.status === "failed") {
        error.textContent = job.error.message || job.error.code;
        error.hidden = false;
      }
    },
    fail(message) {
      node.dataset.status = "failed";
      text.textContent = "failed";
      error.textContent = message;
      error.hidden = false;
    },
  };
}

// The guidance is rendered (and escaped) by our own server. Still, only this markup is copied into the page:
// no scripts, styles, frames or forms, no event-handler or style attributes, and links to the page or the web only.
const ALLOWED_TAGS = new Set([
  "A", "ARTICLE", "BLOCKQUOTE", "BR", "CODE", "DIV", "EM", "H1", "H2", "H3", "H4", "H5", "HEADER", "LI", "MAIN",
  "OL", "P", "SECTION", "SPAN", "STRONG", "TABLE", "TBODY", "TD", "TH", "THEAD", "TR", "UL",
]);
const ALLOWED_ATTRS = new Set(["href", "id", "class", "aria-labelledby", "colspan", "rowspan", "scope"]);

/** The guidance HTML as nodes safe to put in this page, its headings moved under the page's "My guidance". */
export function guidanceNodes(html) {
  // The renderer's own <style> is dropped before parsing: this page's stylesheet styles the guidance, and the
  // policy would refuse the inline style anyway (Chromium reports that as a console error even in a parsed document).
  const withoutStyle = html.replace(/<style\b[^>]*>[\s\S]*?<\/style\s*>/gi, "");
  const parsed = new DOMParser().parseFromString(withoutStyle, "text/html"); // inert: nothing in it runs or loads
  const out = document.createDocumentFragment();
  for (const child of Array.from(parsed.body.children)) {
    const clean = cleaned(child);
    if (clean) out.append(clean);
  }
  return out;
}

function cleaned(source) {
  if (!ALLOWED_TAGS.has(source.tagName)) return null;
  if (source.classList.contains("skip")) return null; // the page has its own skip link
  const level = /^H([1-5])$/.exec(source.tagName);
  // One <main> and one page banner per page: the guidance's own become plain divisions.
  const renamed = { MAIN: "div", HEADER: "div" }[source.tagName];
  const tag = level ? `h${Math.min(Number(level[1]) + 2, 6)}` : renamed || source.tagName.toLowerCase();
  const node = document.createElement(tag);
  for (const attr of Array.from(source.attributes)) {
    if (!ALLOWED_ATTRS.has(attr.name)) continue;
    if (attr.name === "href" && !/^(#|https?:)/i.test(attr.value)) continue;
    node.setAttribute(attr.name, attr.value);
  }
  if (tag === "a" && !node.getAttribute("href")?.startsWith("#")) node.setAttribute("rel", "noopener noreferrer");
  for (const child of Array.from(source.childNodes)) {
    if (child.nodeType === Node.TEXT_NODE) node.append(child.textContent);
    else if (child.nodeType === Node.ELEMENT_NODE) {
      const inner = cleaned(child);
      if (inner) node.append(inner);
    }
  }
  return node;
}
