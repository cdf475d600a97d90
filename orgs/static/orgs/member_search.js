// An ID number or phone typed into the member search is sent by POST, so it never appears in a URL.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.matches("[data-xf-sensitive-search]") || form.method.toLowerCase() === "post") return;
  const q = (form.elements.q && form.elements.q.value || "").trim();
  if (!/^\d{17}[\dXx]$/.test(q) && !/^\d{7,12}$/.test(q)) return;
  event.preventDefault();
  const token = document.createElement("input");
  token.type = "hidden";
  token.name = "csrfmiddlewaretoken";
  token.value = form.dataset.csrf;
  form.appendChild(token);
  form.method = "post";
  form.submit();
});
