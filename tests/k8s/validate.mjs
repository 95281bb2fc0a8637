// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
// Validate Kubernetes manifests against the Kubernetes API schema (the
// OpenAPI schemas compiled into the pinned npm package kubernetes-models,
// see package.json; installed by scripts/install-node-deps.sh), plus the
// rules the API server enforces that the schema cannot express.
//
//   node tests/k8s/validate.mjs FILE...           every document must pass
//   node tests/k8s/validate.mjs --expect-fail FILE...
//                                                 every FILE must be refused
// One line per document: "ok - ..." or "not ok - ..."; exit 1 on failure.
// Limitation: like kubectl's non-strict validation, unknown fields are not
// reported by the schema (types, enums, required fields and formats are).
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

async function modelFor(apiVersion, kind) {
	if (typeof apiVersion !== "string" || typeof kind !== "string" ||
	    !/^[a-z0-9.]+(\/[a-z0-9]+)?$/.test(apiVersion) ||
	    !/^[A-Za-z]+$/.test(kind))
		throw new Error(`bad apiVersion/kind ${apiVersion}/${kind}`);
	try {
		const mod = await import(`kubernetes-models/${apiVersion}/${kind}`);
		return mod[kind];
	} catch (e) {
		throw new Error(`unknown kind ${apiVersion}/${kind}`);
	}
}

// Rules of the API server's own validation that no schema carries.
function podRules(spec, where) {
	const errs = [];
	const vols = new Set((spec.volumes || []).map((v) => v.name));
	const all = [...(spec.initContainers || []), ...(spec.containers || [])];
	for (const c of all) {
		const priv = c.securityContext && c.securityContext.privileged;
		const ports = new Set((c.ports || []).map((p) => p.name));
		for (const m of c.volumeMounts || []) {
			if (!vols.has(m.name))
				errs.push(`${where}: ${c.name}: volumeMount ${m.name} has no volume`);
			if (m.mountPropagation === "Bidirectional" && !priv)
				errs.push(`${where}: ${c.name}: Bidirectional propagation needs privileged`);
		}
		for (const pr of ["readinessProbe", "livenessProbe"]) {
			const hg = c[pr] && c[pr].httpGet;
			if (hg && typeof hg.port === "string" && !ports.has(hg.port))
				errs.push(`${where}: ${c.name}: ${pr} port ${hg.port} not declared`);
		}
		if (!c.resources || !c.resources.requests)
			errs.push(`${where}: ${c.name}: no resource requests`);
	}
	for (const v of spec.volumes || []) {
		if (v.secret && v.secret.defaultMode !== 0o400)
			errs.push(`${where}: secret volume ${v.name}: defaultMode must be 0400 (256)`);
	}
	if (spec.hostNetwork && spec.dnsPolicy !== "ClusterFirstWithHostNet")
		errs.push(`${where}: hostNetwork without dnsPolicy ClusterFirstWithHostNet`);
	return errs;
}

function selectorRules(obj, where) {
	const sel = obj.spec && obj.spec.selector && obj.spec.selector.matchLabels;
	const lab = obj.spec && obj.spec.template && obj.spec.template.metadata &&
		obj.spec.template.metadata.labels;
	if (!sel)
		return [];
	for (const [k, v] of Object.entries(sel))
		if (!lab || lab[k] !== v)
			return [`${where}: selector ${k}=${v} does not match the template`];
	return [];
}

async function checkDoc(obj, where) {
	if (!obj || typeof obj !== "object")
		throw new Error(`${where}: not an object`);
	const Model = await modelFor(obj.apiVersion, obj.kind);
	new Model(obj).validate(); // throws with the schema's message
	let errs = [];
	if (obj.spec && obj.spec.template && obj.spec.template.spec) {
		errs = errs.concat(podRules(obj.spec.template.spec, where));
		errs = errs.concat(selectorRules(obj, where));
	}
	if (errs.length)
		throw new Error(errs.join("; "));
}

// 0 when every document of file passes, else the number of failures
async function checkFile(file, quiet) {
	let bad = 0;
	const docs = parseAllDocuments(readFileSync(file, "utf8"));
	for (const [i, d] of docs.entries()) {
		const where = `${file}#${i}`;
		try {
			if (d.errors.length)
				throw new Error(`YAML: ${d.errors[0].message}`);
			const obj = d.toJS();
			if (obj === null)
				continue;
			await checkDoc(obj, where);
			if (!quiet)
				console.log(`ok - ${where} ${obj.kind}/${obj.metadata.name}`);
		} catch (e) {
			bad++;
			const msg = String(e.message).split("\n")[0].slice(0, 300);
			console.log(`${quiet ? "#" : "not ok -"} ${where}: ${msg}`);
		}
	}
	return bad;
}

const args = process.argv.slice(2);
const expectFail = args[0] === "--expect-fail";
const files = expectFail ? args.slice(1) : args;
let failed = 0;
if (!files.length) {
	console.error("usage: validate.mjs [--expect-fail] FILE...");
	process.exit(2);
}
for (const f of files) {
	const bad = await checkFile(f, expectFail);
	if (expectFail) {
		console.log(`${bad ? "ok" : "not ok"} - ${f} is refused`);
		failed += bad ? 0 : 1;
	} else {
		failed += bad;
	}
}
process.exit(failed ? 1 : 0);
