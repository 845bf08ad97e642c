// serve_client.js: an independent client of `zbprover serve` (Node's built-in crypto only): signs
// hub tickets (Ed25519, RSA-PSS/SHA-256), seals witnesses (X25519 + HKDF-SHA256 + AES-256-GCM),
// recomputes both binding transcripts (SHA-512), and drives the real binary through every case of
// tests/check_serve.sh. Usage: node serve_client.js <tmpdir>; env ZBP_BINARY, ZBP_SOURCE_DIR.
'use strict';
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const readline = require('readline');

const BIN = process.env.ZBP_BINARY;
const SRC = process.env.ZBP_SOURCE_DIR;
const TMP = process.argv[2];
const FX = path.join(SRC, 'tests', 'fixtures');
const SIM = path.join(TMP, 'sim');
const SNARKJS = path.join(SRC, 'node_modules', '.bin', 'snarkjs');
const CIRCUITS = ['multiplier', 'poseidon', 'comparator', 'many_public', 'no_public'];

let pass = 0, fail = 0;
function ok(cond, what) {
  if (cond) pass++;
  else { fail++; console.log('FAIL: ' + what); }
}

// ---- byte strings of docs/binding.md and docs/job-protocol.md ----
const u32le = (n) => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b; };
const u64le = (n) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(n)); return b; };
const lp = (b) => Buffer.concat([u32le(b.length), b]);
const be32 = (dec) => Buffer.from(BigInt(dec).toString(16).padStart(64, '0'), 'hex');
const sha256 = (b) => crypto.createHash('sha256').update(b).digest();
const sha512 = (b) => crypto.createHash('sha512').update(b).digest();

function proofTranscript(ans) {
  const p = ans.proof;
  const coords = [p.pi_a[0], p.pi_a[1], p.pi_b[0][0], p.pi_b[0][1], p.pi_b[1][0], p.pi_b[1][1],
    p.pi_c[0], p.pi_c[1]];
  return Buffer.concat([
    Buffer.from('ZBPROVER-PROOF-V1'), lp(Buffer.from(ans.id, 'utf8')),
    lp(Buffer.from(ans.ticket_id, 'hex')), Buffer.from(ans.zkey_sha256, 'hex'),
    u32le(ans.public.length), ...ans.public.map(be32), ...coords.map(be32)]);
}
const keyTranscript = (tid, pub) => Buffer.concat([Buffer.from('ZBPROVER-KEY-V1'), lp(tid), pub]);
// REPORT_DATA sits at 0x50..0x90 of an SNP report.
const reportData = (att) => Buffer.from(att.report_b64, 'base64').subarray(0x50, 0x90);

function ticketMessage(t) {
  return Buffer.concat([Buffer.from('ZBPROVER-TICKET-V1'), lp(Buffer.from(t.id, 'hex')),
    u64le(t.expires), lp(t.zkey_sha256 ? Buffer.from(t.zkey_sha256, 'hex') : Buffer.alloc(0))]);
}
function signTicket(key, t) {
  const msg = ticketMessage(t);
  const sig = key.asymmetricKeyType === 'ed25519' ? crypto.sign(null, msg, key)
    : crypto.sign('sha256', msg, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  return { ...t, sig: sig.toString('base64') };
}
const now = () => Math.floor(Date.now() / 1000);
function ticket(key, zkeyPath, over = {}) {
  const t = { id: crypto.randomBytes(16).toString('hex'), expires: now() + 600 };
  if (zkeyPath) t.zkey_sha256 = sha256(fs.readFileSync(zkeyPath)).toString('hex');
  return signTicket(key, { ...t, ...over });
}

// wasmSha given: the circuit's input sealed for that witness program (content "input", V2).
function seal(keyAns, wtns, zkeySha, wasmSha) {
  const label = Buffer.from(wasmSha ? 'ZBPROVER-SEAL-V2' : 'ZBPROVER-SEAL-V1');
  const rpub = Buffer.from(keyAns.public, 'hex');
  const eph = crypto.generateKeyPairSync('x25519');
  const epk = Buffer.from(eph.publicKey.export({ format: 'jwk' }).x, 'base64url');
  const rkey = crypto.createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: rpub.toString('base64url') }, format: 'jwk' });
  const shared = crypto.diffieHellman({ privateKey: eph.privateKey, publicKey: rkey });
  const okm = Buffer.from(crypto.hkdfSync('sha256', shared, Buffer.concat([epk, rpub]), label, 44));
  const tid = Buffer.from(keyAns.ticket_id, 'hex');
  const aad = Buffer.concat([label, lp(tid), zkeySha, ...(wasmSha ? [wasmSha] : []),
    Buffer.from(keyAns.key_id, 'hex')]);
  const c = crypto.createCipheriv('aes-256-gcm', okm.subarray(0, 32), okm.subarray(32, 44));
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(wtns), c.final(), c.getAuthTag()]);
  return { alg: 'X25519-HKDF-SHA256-AES-256-GCM', ...(wasmSha ? { content: 'input' } : {}),
    key_id: keyAns.key_id, epk: epk.toString('hex'), ct: ct.toString('base64') };
}

// ---- a server process ----
class Server {
  constructor(args, env = {}) {
    this.p = spawn(BIN, ['serve', ...args], { env: { ...process.env, ZBP_SIM_DIR: SIM, ...env },
      stdio: ['pipe', 'pipe', 'pipe'] });
    this.waiting = [];
    this.answers = [];
    this.log = [];
    this.logWaiters = [];
    readline.createInterface({ input: this.p.stdout }).on('line', (l) => {
      const w = this.waiting.shift();
      if (w) w(l); else this.answers.push(l);
    });
    readline.createInterface({ input: this.p.stderr }).on('line', (l) => {
      this.log.push(l);
      this.logWaiters = this.logWaiters.filter(([re, res]) => (re.test(l) ? (res(l), false) : true));
    });
    this.exit = new Promise((res) => this.p.on('exit', (code, sig) => res({ code, sig })));
  }
  next() {
    if (this.answers.length) return Promise.resolve(JSON.parse(this.answers.shift()));
    return new Promise((res) => this.waiting.push(res)).then(JSON.parse);
  }
  send(obj) { this.p.stdin.write((typeof obj === 'string' ? obj : JSON.stringify(obj)) + '\n'); }
  ask(obj) { this.send(obj); return this.next(); }
  waitLog(re) {
    const hit = this.log.find((l) => re.test(l));
    return hit ? Promise.resolve(hit) : new Promise((res) => this.logWaiters.push([re, res]));
  }
  async close() { this.p.stdin.end(); return this.exit; }
  pid() { return this.p.pid; }
}

const zk = (c) => path.join(FX, c, 'circuit.zkey');
const wt = (c) => path.join(FX, c, 'witness.wtns');
const vk = (c) => path.join(FX, c, 'verification_key.json');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const code = (a) => (a.ok ? 'ok' : a.error.code);

function checkBundle(ans, c, extra = ['--trust-root', path.join(SIM, 'ark.pem')]) {
  const f = path.join(TMP, 'bundle.json');
  fs.writeFileSync(f, typeof ans === 'string' ? ans : JSON.stringify(ans));
  return spawnSync(BIN, ['check-bundle', f, '--vk', vk(c), ...extra], { encoding: 'utf8' });
}

function snarkjsVerify(ans, c) {
  const pf = path.join(TMP, 'proof.json'), uf = path.join(TMP, 'public.json');
  fs.writeFileSync(pf, JSON.stringify(ans.proof));
  fs.writeFileSync(uf, JSON.stringify(ans.public));
  const r = spawnSync(SNARKJS, ['groth16', 'verify', vk(c), uf, pf], { encoding: 'utf8' });
  return r.status === 0 && /OK/.test(r.stdout);
}

function rss(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

// Every answer of a prove: the proof verifies (snarkjs), check-bundle accepts, and the transcript
// recomputed here equals report_data and the report's REPORT_DATA.
function checkProveAnswer(a, c, haveSnarkjs) {
  ok(a.ok, `prove ${c}: ${JSON.stringify(a.error)}`);
  if (!a.ok) return;
  ok(a.attestation.kind === 'sim' && a.attestation.report_b64 && a.attestation.certs, `${c}: sim attestation fields`);
  const rd = sha512(proofTranscript(a));
  ok(rd.toString('hex') === a.attestation.report_data, `${c}: recomputed transcript = report_data`);
  ok(rd.equals(reportData(a.attestation)), `${c}: recomputed transcript = the report's REPORT_DATA`);
  ok(a.zkey_sha256 === sha256(fs.readFileSync(zk(c))).toString('hex'), `${c}: zkey_sha256`);
  const r = checkBundle(a, c);
  ok(r.status === 0, `${c}: check-bundle exit ${r.status}: ${r.stdout}${r.stderr}`);
  if (haveSnarkjs) ok(snarkjsVerify(a, c), `${c}: snarkjs groth16 verify`);
}

async function main() {
  fs.mkdirSync(SIM, { recursive: true });
  const haveSnarkjs = fs.existsSync(SNARKJS);
  if (!haveSnarkjs) console.log(`note: ${SNARKJS} not found: the snarkjs cross-check is skipped (run npm ci)`);
  const ed = crypto.generateKeyPairSync('ed25519');
  const ed2 = crypto.generateKeyPairSync('ed25519');
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const edPem = path.join(TMP, 'hub-ed25519.pem'), rsaPem = path.join(TMP, 'hub-rsa.pem');
  fs.writeFileSync(edPem, ed.publicKey.export({ type: 'spki', format: 'pem' }));
  fs.writeFileSync(rsaPem, rsa.publicKey.export({ type: 'spki', format: 'pem' }));
  const replay = path.join(TMP, 'replay.log');

  // ---- jobs on every circuit, Ed25519 tickets, sim attestation ----
  let s = new Server(['--attest', 'sim', '--hub-key', edPem, '--replay-log', replay]);
  const bundles = {};
  for (const c of CIRCUITS) {
    const req = { id: `job-${c}`, op: 'prove', zkey: zk(c), ticket: ticket(ed.privateKey, zk(c)) };
    if (c === 'poseidon') req.wtns_b64 = fs.readFileSync(wt(c)).toString('base64');
    else req.wtns = wt(c);
    const a = await s.ask(req);
    checkProveAnswer(a, c, haveSnarkjs);
    bundles[c] = a;
  }
  // A second job on a circuit comes from the cache.
  let a = await s.ask({ id: 'again', op: 'prove', zkey: zk('multiplier'), wtns: wt('multiplier'),
    ticket: ticket(ed.privateKey, zk('multiplier')) });
  ok(a.ok, 'a second multiplier job');
  let info = await s.ask({ id: 'info', op: 'info' });
  ok(info.ok && info.circuits.length === 5 && info.jobs.done === 6 && info.attestation === 'sim' &&
     info.tickets === 'ed25519', `info: ${JSON.stringify(info)}`);
  ok(info.circuits.find((e) => e.path === zk('multiplier')).uses === 2, 'the cache served the second job');

  // Changing any bound field of an answer makes check-bundle fail.
  const b = bundles.many_public;
  const flipHex = (h) => (h[0] === '0' ? '1' : '0') + h.slice(1);
  const bump = (d) => (BigInt(d) + 1n).toString();
  const mutations = {
    id: (x) => { x.id += 'x'; },
    ticket_id: (x) => { x.ticket_id = flipHex(x.ticket_id); },
    'ticket_id empty': (x) => { x.ticket_id = ''; },
    zkey_sha256: (x) => { x.zkey_sha256 = flipHex(x.zkey_sha256); },
    'pi_a x': (x) => { x.proof.pi_a[0] = bump(x.proof.pi_a[0]); },
    'pi_b x.c1': (x) => { x.proof.pi_b[0][1] = bump(x.proof.pi_b[0][1]); },
    'pi_c y': (x) => { x.proof.pi_c[1] = bump(x.proof.pi_c[1]); },
    'public[0]': (x) => { x.public[0] = bump(x.public[0]); },
    'public[last]': (x) => { x.public[x.public.length - 1] = bump(x.public[x.public.length - 1]); },
    'public dropped': (x) => { x.public.pop(); },
    report_data: (x) => { x.attestation.report_data = flipHex(x.attestation.report_data); },
    'report byte': (x) => {
      const r = Buffer.from(x.attestation.report_b64, 'base64'); r[0x90] ^= 1;
      x.attestation.report_b64 = r.toString('base64');
    },
    'report signature': (x) => {
      const r = Buffer.from(x.attestation.report_b64, 'base64'); r[0x2a0] ^= 1;
      x.attestation.report_b64 = r.toString('base64');
    },
    'kind snp': (x) => { x.attestation.kind = 'snp'; },
    'kind none': (x) => { x.attestation.kind = 'none'; },
    certs: (x) => { delete x.attestation.certs; },
    ok: (x) => { x.ok = false; },
  };
  for (const [name, f] of Object.entries(mutations)) {
    const x = JSON.parse(JSON.stringify(b));
    f(x);
    const r = checkBundle(x, 'many_public');
    ok(r.status !== 0, `check-bundle accepts a bundle with ${name} changed`);
  }
  ok(checkBundle(b, 'many_public', []).status === 1, 'a sim bundle without --trust-root is rejected');
  ok(checkBundle(b, 'multiplier').status !== 0, 'another circuit\'s key rejects the bundle');

  // ---- tickets ----
  const t1 = bundles.multiplier;
  const reused = { id: 'replay', op: 'prove', zkey: zk('multiplier'), wtns: wt('multiplier') };
  const spentTicket = ticket(ed.privateKey, zk('comparator'));
  a = await s.ask({ id: 'spend', op: 'prove', zkey: zk('comparator'), wtns: wt('comparator'), ticket: spentTicket });
  ok(a.ok, 'spend a ticket');
  a = await s.ask({ id: 'respend', op: 'prove', zkey: zk('comparator'), wtns: wt('comparator'), ticket: spentTicket });
  ok(code(a) === 'replayed_ticket', `replay: ${code(a)}`);
  a = await s.ask({ ...reused, ticket: ticket(ed.privateKey, zk('multiplier'), { expires: now() - 5 }) });
  ok(code(a) === 'expired_ticket', `expired: ${code(a)}`);
  a = await s.ask({ ...reused, ticket: ticket(ed2.privateKey, zk('multiplier')) });
  ok(code(a) === 'bad_ticket', `foreign signer: ${code(a)}`);
  const tampered = ticket(ed.privateKey, zk('multiplier'));
  tampered.expires += 1;
  a = await s.ask({ ...reused, ticket: tampered });
  ok(code(a) === 'bad_ticket', `tampered expiry: ${code(a)}`);
  a = await s.ask({ ...reused, ticket: ticket(ed.privateKey, zk('poseidon')) });
  ok(code(a) === 'bad_ticket' && /another circuit/.test(a.error.message), `wrong circuit: ${JSON.stringify(a)}`);
  a = await s.ask({ ...reused, ticket: ticket(rsa.privateKey, zk('multiplier')) });
  ok(code(a) === 'bad_ticket', `an RSA signature under an Ed25519 hub: ${code(a)}`);
  a = await s.ask(reused);
  ok(code(a) === 'bad_ticket', `no ticket: ${code(a)}`);
  a = await s.ask({ ...reused, ticket: { ...ticket(ed.privateKey, null), id: 'abcd' } });
  ok(code(a) === 'bad_ticket', `short ticket id: ${code(a)}`);
  a = await s.ask({ ...reused, ticket: ticket(ed.privateKey, null) });
  ok(a.ok, 'a ticket without zkey_sha256 authorizes any circuit');
  ok(t1.ticket_id.length === 32, 'answers carry the ticket id');

  // A second server cannot take the same replay log.
  const r2 = spawnSync(BIN, ['serve', '--attest', 'none', '--hub-key', edPem, '--replay-log', replay],
    { input: '', encoding: 'utf8' });
  ok(r2.status === 3 && /in use/.test(r2.stderr), `second server on one replay log: ${r2.status} ${r2.stderr}`);

  // ---- sealed witnesses ----
  const wM = fs.readFileSync(wt('multiplier'));
  const shaM = sha256(fs.readFileSync(zk('multiplier')));
  const tk1 = ticket(ed.privateKey, zk('multiplier'));
  const k1 = await s.ask({ id: 'key1', op: 'key', ticket: tk1 });
  ok(k1.ok && k1.ticket_id === tk1.id, `key: ${JSON.stringify(k1.error)}`);
  const krd = sha512(keyTranscript(Buffer.from(tk1.id, 'hex'), Buffer.from(k1.public, 'hex')));
  ok(krd.toString('hex') === k1.attestation.report_data && krd.equals(reportData(k1.attestation)),
    'the KEY transcript recomputed here = report_data = REPORT_DATA');
  const sealed1 = seal(k1, wM, shaM);
  a = await s.ask({ id: 'sealed-1', op: 'prove', zkey: zk('multiplier'), sealed: sealed1, ticket: tk1 });
  ok(a.ok, `sealed round trip: ${JSON.stringify(a.error)}`);
  if (a.ok) ok(checkBundle(a, 'multiplier').status === 0, 'check-bundle accepts the sealed job');
  // The same key again (with a fresh ticket): gone.
  const tk2 = ticket(ed.privateKey, zk('multiplier'));
  a = await s.ask({ id: 'sealed-again', op: 'prove', zkey: zk('multiplier'), sealed: sealed1, ticket: tk2 });
  ok(code(a) === 'bad_witness' && /no such key/.test(a.error.message), `a key used twice: ${JSON.stringify(a)}`);
  // Tampered ciphertext.
  const tk3 = ticket(ed.privateKey, zk('multiplier'));
  const k3 = await s.ask({ id: 'key3', op: 'key', ticket: tk3 });
  const s3 = seal(k3, wM, shaM);
  const ct = Buffer.from(s3.ct, 'base64'); ct[10] ^= 0x40; s3.ct = ct.toString('base64');
  a = await s.ask({ id: 'sealed-tampered', op: 'prove', zkey: zk('multiplier'), sealed: s3, ticket: tk3 });
  ok(code(a) === 'bad_witness' && /authentication/.test(a.error.message), `tampered ciphertext: ${JSON.stringify(a)}`);
  // A key from another request: issued for ticket 5, used with ticket 6.
  const tk5 = ticket(ed.privateKey, zk('multiplier')), tk6 = ticket(ed.privateKey, zk('multiplier'));
  const k5 = await s.ask({ id: 'key5', op: 'key', ticket: tk5 });
  const k6 = await s.ask({ id: 'key6', op: 'key', ticket: tk6 });
  a = await s.ask({ id: 'sealed-other', op: 'prove', zkey: zk('multiplier'), sealed: seal(k5, wM, shaM), ticket: tk6 });
  ok(code(a) === 'bad_witness' && /another ticket/.test(a.error.message), `a key from another request: ${JSON.stringify(a)}`);
  // Sealed to key 6's public key but naming key 5... (key 5 is spent above: ask a new one).
  const tk7 = ticket(ed.privateKey, zk('multiplier'));
  const k7 = await s.ask({ id: 'key7', op: 'key', ticket: tk7 });
  const mixed = seal({ ...k6, key_id: k7.key_id, ticket_id: k7.ticket_id }, wM, shaM);
  a = await s.ask({ id: 'sealed-mixed', op: 'prove', zkey: zk('multiplier'), sealed: mixed, ticket: tk7 });
  ok(code(a) === 'bad_witness', `sealed to another key's public half: ${code(a)}`);
  // Sealed for another circuit (the AAD names the circuit).
  const tk8 = ticket(ed.privateKey, null);
  const k8 = await s.ask({ id: 'key8', op: 'key', ticket: tk8 });
  a = await s.ask({ id: 'sealed-circuit', op: 'prove', zkey: zk('multiplier'),
    sealed: seal(k8, wM, sha256(fs.readFileSync(zk('poseidon')))), ticket: tk8 });
  ok(code(a) === 'bad_witness', `sealed for another circuit: ${code(a)}`);
  // The CLI's `zbprover seal`.
  const tk9 = ticket(ed.privateKey, zk('poseidon'));
  const k9 = await s.ask({ id: 'key9', op: 'key', ticket: tk9 });
  fs.writeFileSync(path.join(TMP, 'key.json'), JSON.stringify(k9));
  let r = spawnSync(BIN, ['seal', path.join(TMP, 'key.json'), wt('poseidon'), path.join(TMP, 'sealed.json'),
    '--zkey', zk('poseidon')], { encoding: 'utf8' });
  ok(r.status === 0, `zbprover seal: ${r.stderr}`);
  a = await s.ask({ id: 'sealed-cli', op: 'prove', zkey: zk('poseidon'), ticket: tk9,
    sealed: JSON.parse(fs.readFileSync(path.join(TMP, 'sealed.json'), 'utf8')) });
  ok(a.ok, `a witness sealed by zbprover seal: ${JSON.stringify(a.error)}`);
  const badKey = { ...k9, public: flipHex(k9.public) };
  fs.writeFileSync(path.join(TMP, 'key-bad.json'), JSON.stringify(badKey));
  r = spawnSync(BIN, ['seal', path.join(TMP, 'key-bad.json'), wt('poseidon'), path.join(TMP, 'sealed2.json'),
    '--zkey', zk('poseidon')], { encoding: 'utf8' });
  ok(r.status === 1, `seal refuses a key its report does not bind: ${r.status}`);
  let st = await s.close();
  ok(st.code === 0, `EOF ends the loop with 0 (${JSON.stringify(st)})`);
  ok(!s.log.some((l) => l.includes(wM.toString('base64').slice(0, 40))), 'no witness in the logs');
  ok(s.log.every((l) => { try { JSON.parse(l); return true; } catch (e) { return false; } }), 'logs are JSON lines');

  // ---- SIGKILL mid-job, then a restart on the same replay log ----
  const killLog = path.join(TMP, 'replay-kill.log');
  s = new Server(['--attest', 'sim', '--hub-key', edPem, '--replay-log', killLog], { ZBP_SERVE_TEST_DELAY_MS: '5000' });
  const tk = ticket(ed.privateKey, zk('poseidon'));
  s.send({ id: 'doomed', op: 'prove', zkey: zk('poseidon'), wtns: wt('poseidon'), ticket: tk });
  await s.waitLog(/ticket_spent/);
  process.kill(s.pid(), 'SIGKILL');
  st = await s.exit;
  ok(st.sig === 'SIGKILL', 'killed mid-job');
  s = new Server(['--attest', 'sim', '--hub-key', edPem, '--replay-log', killLog]);
  a = await s.ask({ id: 'after-kill', op: 'prove', zkey: zk('poseidon'), wtns: wt('poseidon'), ticket: tk });
  ok(code(a) === 'replayed_ticket', `the ticket of a killed job stays spent: ${code(a)}`);
  a = await s.ask({ id: 'fresh', op: 'prove', zkey: zk('poseidon'), wtns: wt('poseidon'), ticket: ticket(ed.privateKey, zk('poseidon')) });
  ok(a.ok, 'a fresh ticket after the restart');
  a = await s.ask({ id: 'bye', op: 'shutdown' });
  ok(a.ok, 'shutdown answered');
  st = await s.exit;
  ok(st.code === 0, 'shutdown exits 0');

  // ---- an RSA-PSS hub key ----
  s = new Server(['--attest', 'sim', '--hub-key', rsaPem, '--replay-log', path.join(TMP, 'replay-rsa.log')]);
  a = await s.ask({ id: 'rsa', op: 'prove', zkey: zk('multiplier'), wtns: wt('multiplier'), ticket: ticket(rsa.privateKey, zk('multiplier')) });
  ok(a.ok, `RSA-PSS ticket: ${JSON.stringify(a.error)}`);
  if (a.ok) ok(checkBundle(a, 'multiplier').status === 0, 'check-bundle accepts the RSA-ticket job');
  a = await s.ask({ id: 'rsa-ed', op: 'prove', zkey: zk('multiplier'), wtns: wt('multiplier'), ticket: ticket(ed.privateKey, zk('multiplier')) });
  ok(code(a) === 'bad_ticket', `an Ed25519 signature under an RSA hub: ${code(a)}`);
  const rsaMax = signTicket(rsa.privateKey, { id: crypto.randomBytes(32).toString('hex'), expires: now() + 60 });
  const msg = ticketMessage(rsaMax);
  rsaMax.sig = crypto.sign('sha256', msg, { key: rsa.privateKey, padding: crypto.constants.RSA_PKCS1_PSS_PADDING,
    saltLength: crypto.constants.RSA_PSS_SALTLEN_MAX_SIGN }).toString('base64');
  a = await s.ask({ id: 'rsa-max-salt', op: 'prove', zkey: zk('no_public'), wtns: wt('no_public'), ticket: rsaMax });
  ok(a.ok, `RSA-PSS with the maximum salt, no zkey_sha256, no public signals: ${JSON.stringify(a.error)}`);
  info = await s.ask({ id: 'i', op: 'info' });
  ok(info.tickets === 'rsa-pss-sha256', 'info names the RSA hub key');
  await s.close();

  // ---- a flood of bad lines, then a valid job: all answered, memory flat ----
  // Under AddressSanitizer, freed memory waits in a quarantine (256 MB by default) and would read
  // as growth: turn it off for this server (the option is ignored by other builds).
  const asan = (process.env.ASAN_OPTIONS ? process.env.ASAN_OPTIONS + ':' : '') +
    'quarantine_size_mb=0:thread_local_quarantine_size_kb=0';
  s = new Server(['--attest', 'none', '--max-line-bytes', '65536'], { ASAN_OPTIONS: asan });
  a = await s.ask({ id: 'warm', op: 'prove', zkey: zk('poseidon'), wtns: wt('poseidon') });
  ok(a.ok && a.attestation.kind === 'none' && !a.attestation.report_b64, 'attest none: kind none, no report');
  ok(checkBundle(a, 'poseidon', []).status === 1, 'check-bundle rejects kind none');
  ok(checkBundle(a, 'poseidon', ['--allow-unattested']).status === 0, 'check-bundle --allow-unattested accepts it');
  for (let i = 0; i < 20; i++) { s.send('{"id":"w' + i + '","op":"ping"}'); await s.next(); }
  const before = rss(s.pid());
  const big = 'x'.repeat(200000);
  const bad = [
    'not json', '{', '[]', '{"id":"a"}', '{"id":"a","op":"fly"}', '{"op":"ping"}', '{"id":5,"op":"ping"}',
    '{"id":"a","op":"prove"}', '{"id":"a","op":"prove","zkey":"/nonexistent.zkey","wtns":"/x"}',
    `{"id":"a","op":"prove","zkey":"${wt('poseidon')}","wtns":"${wt('poseidon')}"}`,
    `{"id":"a","op":"prove","zkey":"${zk('poseidon')}","wtns":"${wt('multiplier')}"}`,
    `{"id":"a","op":"prove","zkey":"${zk('poseidon')}","wtns_b64":"!!!!"}`,
    `{"id":"a","op":"prove","zkey":"${zk('poseidon')}","wtns":"${wt('poseidon')}","wtns_b64":"AAAA"}`,
    `{"id":"a","op":"prove","zkey":"${zk('poseidon')}","sealed":{"alg":"X"}}`,
    '{"id":"' + big + '","op":"ping"}', '{"id":"\\u0000","op":"ping"}', '{"id":"a","op":"ping"} x',
  ];
  for (let i = 0; i < 1000; i++) {
    const line = bad[i % bad.length];
    s.send(line);
  }
  s.send({ id: 'valid', op: 'prove', zkey: zk('poseidon'), wtns: wt('poseidon') });
  const codes = {};
  for (let i = 0; i < 1000; i++) {
    const x = await s.next();
    ok(x.ok === false && x.error && x.error.code, `bad line ${i} answered with an error`);
    codes[x.error.code] = (codes[x.error.code] || 0) + 1;
  }
  const last = await s.next();
  ok(last.ok && last.id === 'valid', `the valid job after the flood: ${JSON.stringify(last.error)}`);
  ok(codes.bad_request > 0 && codes.too_large > 0 && codes.bad_zkey > 0 && codes.bad_witness > 0,
    `the flood's codes: ${JSON.stringify(codes)}`);
  const after = rss(s.pid());
  console.log(`flood: codes ${JSON.stringify(codes)}, VmRSS ${before} kB -> ${after} kB`);
  ok(after - before < 8192, `VmRSS flat under the flood: ${before} kB -> ${after} kB`);
  info = await s.ask({ id: 'info', op: 'info' });
  ok(info.jobs.failed >= 5 && info.attestation === 'none', 'info counts failed jobs');
  st = await s.close();
  ok(st.code === 0, 'exit 0 after the flood');

  // ---- a job past --job-timeout; busy while it runs on; SIGTERM finishes the current job ----
  s = new Server(['--attest', 'none', '--job-timeout', '0.3'], { ZBP_SERVE_TEST_DELAY_MS: '1500' });
  a = await s.ask({ id: 'slow', op: 'prove', zkey: zk('multiplier'), wtns: wt('multiplier') });
  ok(code(a) === 'timeout', `timeout: ${code(a)}`);
  a = await s.ask({ id: 'next', op: 'prove', zkey: zk('multiplier'), wtns: wt('multiplier') });
  ok(code(a) === 'busy', `busy while the timed-out job runs: ${code(a)}`);
  a = await s.ask({ id: 'p', op: 'ping' });
  ok(a.ok, 'ping while the prover is busy');
  st = await s.close();
  ok(st.code === 0, 'EOF with a timed-out job still running: exit 0');

  s = new Server(['--attest', 'none'], { ZBP_SERVE_TEST_DELAY_MS: '800' });
  s.send({ id: 'current', op: 'prove', zkey: zk('multiplier'), wtns: wt('multiplier') });
  s.send({ id: 'queued', op: 'ping' });
  await sleep(300);
  process.kill(s.pid(), 'SIGTERM');
  a = await s.next();
  ok(a.ok && a.id === 'current', `SIGTERM: the current job is answered: ${JSON.stringify(a)}`);
  st = await s.exit;
  ok(st.code === 0, `SIGTERM: exit 0 (${JSON.stringify(st)})`);

  await inputs(ed, edPem, haveSnarkjs);

  // ---- auto never simulates ----
  if (!fs.existsSync('/dev/sev-guest') && !fs.existsSync('/sys/kernel/config/tsm/report')) {
    s = new Server([]);
    info = await s.ask({ id: 'i', op: 'info' });
    ok(info.attestation === 'none', `--attest auto without SNP: kind none (${info.attestation})`);
    await s.close();
    r = spawnSync(BIN, ['serve', '--attest', 'snp'], { input: '', encoding: 'utf8' });
    ok(r.status === 3, `--attest snp without SNP: exit 3 (${r.status})`);
  }
  r = spawnSync(BIN, ['serve', '--hub-key', edPem], { input: '', encoding: 'utf8' });
  ok(r.status === 2, '--hub-key without --replay-log is a usage error');

  console.log(`${pass} passed, ${fail} failed`);
  process.exit(fail ? 1 : 0);
}

// ---- prove from the circuit's inputs: plain and sealed, the witness program's failures, and no
// witness on disk ----
async function inputs(ed, edPem, haveSnarkjs) {
  const WX = path.join(FX, 'witness');
  const wasm = (c) => path.join(WX, c, 'circuit.wasm');
  const cache = path.join(TMP, 'wcache');
  const zkM = zk('multiplier'), shaM = sha256(fs.readFileSync(zkM)), wasmSha = sha256(fs.readFileSync(wasm('multiplier')));
  // A distinctive private input: a * b is the public output.
  const input = { a: '123456789123456789123', b: '987654321987654321' };
  // Under AddressSanitizer the child's runtime maps more than RLIMIT_DATA allows at the default
  // limit (its allocator's regions count as data): lift the limit for a sanitized build only.
  const wlimit = process.env.ZBP_SANITIZE_FLAGS ? ['--witness-memory-limit', '16777216'] : [];
  const s = new Server(['--attest', 'sim', '--hub-key', edPem, '--replay-log', path.join(TMP, 'replay-in.log'),
    '--witness-cache-dir', cache, '--witness-time-limit', '3', ...wlimit]);
  const prove = (id, extra, t = ticket(ed.privateKey, zkM)) =>
    s.ask({ id, op: 'prove', zkey: zkM, ticket: t, ...extra });
  let a = await prove('in-plain', { wasm: wasm('multiplier'), input });
  checkProveAnswer(a, 'multiplier', haveSnarkjs);
  if (a.ok) {
    ok(a.wasm_sha256 === wasmSha.toString('hex'), `wasm_sha256 is the program's: ${a.wasm_sha256}`);
    ok(a.public[0] === (BigInt(input.a) * BigInt(input.b)).toString(), `the public output: ${a.public}`);
    ok(a.timing_ms.witness > 0 && a.timing_ms.witness_object >= 0, `timing_ms: ${JSON.stringify(a.timing_ms)}`);
  }
  // Sealed by this client's own code, and by `zbprover seal --input`.
  let tk = ticket(ed.privateKey, zkM);
  let k = await s.ask({ id: 'in-key1', op: 'key', ticket: tk });
  a = await prove('in-sealed', { wasm: wasm('multiplier'),
    sealed: seal(k, Buffer.from(JSON.stringify(input)), shaM, wasmSha) }, tk);
  checkProveAnswer(a, 'multiplier', haveSnarkjs);
  tk = ticket(ed.privateKey, zkM);
  k = await s.ask({ id: 'in-key2', op: 'key', ticket: tk });
  const kf = path.join(TMP, 'in-key.json'), inf = path.join(TMP, 'in-input.json'), sf = path.join(TMP, 'in-sealed.json');
  fs.writeFileSync(kf, JSON.stringify(k));
  fs.writeFileSync(inf, JSON.stringify(input));
  let r = spawnSync(BIN, ['seal', kf, '--input', inf, sf, '--zkey', zkM, '--wasm', wasm('multiplier')], { encoding: 'utf8' });
  ok(r.status === 0, `zbprover seal --input: ${r.stderr}`);
  a = await prove('in-sealed-cli', { wasm: wasm('multiplier'), sealed: JSON.parse(fs.readFileSync(sf, 'utf8')) }, tk);
  ok(a.ok, `an input sealed by zbprover seal: ${JSON.stringify(a.error)}`);
  r = spawnSync(BIN, ['seal', kf, '--input', wt('multiplier'), sf, '--zkey', zkM, '--wasm', wasm('multiplier')], { encoding: 'utf8' });
  ok(r.status === 2 && /JSON/.test(r.stderr), `seal --input refuses a file that is not an input: ${r.status} ${r.stderr}`);
  r = spawnSync(BIN, ['seal', kf, '--input', inf, sf, '--zkey', zkM], { encoding: 'utf8' });
  ok(r.status === 2 && /--wasm/.test(r.stderr), `seal --input needs the program: ${r.stderr}`);
  fs.rmSync(inf);
  // Sealed for another program, or as a witness while it holds an input: refused.
  tk = ticket(ed.privateKey, zkM);
  k = await s.ask({ id: 'in-key3', op: 'key', ticket: tk });
  a = await prove('in-sealed-other', { wasm: wasm('multiplier'),
    sealed: seal(k, Buffer.from(JSON.stringify(input)), shaM, sha256(fs.readFileSync(wasm('assert')))) }, tk);
  ok(code(a) === 'bad_witness' && /authentication/.test(a.error.message), `sealed for another program: ${JSON.stringify(a)}`);
  tk = ticket(ed.privateKey, zkM);
  k = await s.ask({ id: 'in-key4', op: 'key', ticket: tk });
  const asWtns = seal(k, Buffer.from(JSON.stringify(input)), shaM, wasmSha);
  delete asWtns.content;
  a = await prove('in-sealed-kind', { wasm: wasm('multiplier'), sealed: asWtns }, tk);
  ok(code(a) === 'bad_request' && /wasm: only with an input/.test(a.error.message), `a sealed witness with wasm: ${JSON.stringify(a)}`);
  a = await prove('in-sealed-bad-content', { wasm: wasm('multiplier'), sealed: { ...asWtns, content: 'json' } });
  ok(code(a) === 'bad_request' && /content/.test(a.error.message), `an unknown sealed content: ${JSON.stringify(a)}`);

  // The request's shape: bad_request, and the ticket stays unspent.
  const shape = [
    [{ wasm: wasm('multiplier'), input, wtns: wt('multiplier') }, /exactly one of/],
    [{ wasm: wasm('multiplier'), input, wtns_b64: 'AAAA' }, /exactly one of/],
    [{ input }, /wasm: the witness program's path is required/],
    [{ wasm: wasm('multiplier'), input: [1, 2] }, /input: a JSON object/],
    [{ wasm: wasm('multiplier'), wtns: wt('multiplier') }, /wasm: only with an input/],
    [{ wasm: 5, input }, /wasm: the witness program's path/],
  ];
  for (const [extra, re] of shape) {
    a = await prove('in-shape', extra);
    ok(code(a) === 'bad_request' && re.test(a.error.message), `${JSON.stringify(extra).slice(0, 60)}: ${JSON.stringify(a)}`);
  }
  // The program and the input at fault: bad_witness, with the engine's message.
  const fifo = path.join(TMP, 'fifo.wasm');
  spawnSync('mkfifo', [fifo]);
  const faults = [
    [{ wasm: wasm('multiplier'), input: { a: '3' } }, /not all inputs are set/],
    [{ wasm: wasm('multiplier'), input: { a: '3', b: '4', c: '5' } }, /signal 'c' is not an input/],
    [{ wasm: wasm('multiplier'), input: { a: '3', b: 'x' } }, /signal 'b'.*not an integer/],
    [{ wasm: wasm('assert'), input: JSON.parse(fs.readFileSync(path.join(WX, 'assert', 'fail.json'), 'utf8')) },
      /assertion of the circuit failed.*Bounded_0 line: 8/],
    [{ wasm: path.join(TMP, 'missing.wasm'), input }, /No such file/],
    [{ wasm: fifo, input }, /not a regular file/],
    [{ wasm: zkM, input }, /not a circom witness program/],
  ];
  for (const [extra, re] of faults) {
    const t0 = Date.now();
    a = await prove('in-fault', extra);
    ok(code(a) === 'bad_witness' && re.test(a.error.message), `${JSON.stringify(extra).slice(0, 70)}: ${JSON.stringify(a)}`);
    if (extra.wasm === fifo) ok(Date.now() - t0 < 2000, 'a FIFO as wasm does not block');
  }
  // A program that never ends: the witness time limit answers timeout. fake.wat's one input picks
  // its behaviour; 3 is an endless loop in setInputSignal.
  const spin = path.join(TMP, 'spin.wasm');
  r = spawnSync('wat2wasm', [path.join(WX, 'fake.wat'), '-o', spin], { encoding: 'utf8' });
  if (r.status === 0) {
    a = await prove('in-spin', { wasm: spin, input: { x: 3 } });
    ok(code(a) === 'timeout' && /time limit of 3 s/.test(a.error.message), `a program past the time limit: ${JSON.stringify(a)}`);
  } else console.log('note: wat2wasm is missing: the witness time limit case is skipped');
  // The cache holds the program beside the key.
  const info = await s.ask({ id: 'in-info', op: 'info' });
  const prog = (info.programs || []).find((p) => p.path === wasm('multiplier'));
  ok(prog && prog.wasm_sha256 === wasmSha.toString('hex') && prog.uses >= 3, `info.programs: ${JSON.stringify(info.programs)}`);

  // No witness on disk: a job from the cache under strace opens no file for writing but the replay
  // log, and no file under the temporary and cache directories holds the witness's values.
  const pid = s.pid();
  const trace = path.join(TMP, 'strace.log');
  const st = spawn('strace', ['-f', '-qq', '-e', 'trace=openat,open,creat,rename,link', '-o', trace, '-p', String(pid)]);
  await sleep(500);
  a = await prove('in-traced', { wasm: wasm('multiplier'), input });
  ok(a.ok, `the traced job: ${JSON.stringify(a.error)}`);
  st.kill('SIGINT');
  await new Promise((res) => st.on('exit', res));
  const traced = fs.existsSync(trace) ? fs.readFileSync(trace, 'utf8') : '';
  if (/witness-[0-9a-f]+-[0-9a-f]+\.so/.test(traced)) { // the child's dlopen: the trace saw the job
    const writes = traced.split('\n')
      .filter((l) => /O_WRONLY|O_RDWR|O_CREAT|creat\(|rename\(|link\(/.test(l) && !/replay-in\.log/.test(l) &&
        // the TSan build's runtimes (scripts/test.sh): ThreadSanitizer's and clang's libomp's own files
        !/tsan\.rodata\.|__KMP_REGISTERED_LIB_/.test(l));
    ok(writes.length === 0, `files written during a job from inputs: ${writes.join(' | ')}`);
  } else console.log('note: strace could not attach: the write trace is skipped');
  const big = Buffer.alloc(32);
  let v = BigInt(input.a);
  for (let i = 0; i < 32; i++, v >>= 8n) big[i] = Number(v & 0xffn);
  const scan = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const f = path.join(dir, e.name);
    if (e.isDirectory()) return scan(f);
    if (!e.isFile()) return [];
    const b = fs.readFileSync(f);
    return b.includes(big) || b.includes(Buffer.from(input.a)) ? [f] : []; // a as a wire, as text
  });
  const found = scan(TMP);
  ok(found.length === 0, `files holding the input or witness: ${found}`);
  const stt = await s.close();
  ok(stt.code === 0, 'the inputs server exits 0');
  ok(!s.log.some((l) => l.includes(input.a) || l.includes(input.b)), 'no input value in the logs');
}

main().catch((e) => { console.log('FAIL: ' + (e && e.stack)); process.exit(1); });
