"""costplan's own template rules: what no single tool checks (cfn-lint, terraform validate, checkov).
They read a CloudFormation template in long form (Ref / Fn::GetAtt / Fn::Sub dicts) and return one
line per violation: "CPnnn Resource: message". `RULES` lists id, title and the fact behind each."""
from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

RULES = {
    "CP101": "SQS visibility timeout >= 6 x function timeout + batching window (Lambda SQS guidance)",
    "CP102": "ESM MaximumConcurrency in 2-1000 and <= the function's reserved concurrency",
    "CP103": "standard-queue BatchSize > 10 needs MaximumBatchingWindowInSeconds",
    "CP104": "FIFO: FIFO DLQ, BatchSize <= 10, no batching window",
    "CP201": "every push source (SNS, S3, EventBridge, IoT, API Gateway) has a Lambda::Permission with SourceArn",
    "CP202": "no dependency cycle (S3 notifications reference the bucket by a name, not GetAtt)",
    "CP203": "claim-check output is not written under the filtered trigger prefix; recursive-loop guard set",
    "CP301": "DynamoDB stream mapping has StartingPosition",
    "CP302": "the TTL attribute named in the plan exists on the table",
    "CP401": "EventBridge rate grammar (singular unit only for 1) and 6-field cron with exactly one ?",
    "CP501": "Step Functions StartAt and every Next name an existing state",
    "CP502": "the state-machine role grants exactly the invoked ARNs (and a Glue .sync task's four actions)",
    "CP601": "Fargate CPU/memory is a valid pair",
    "CP701": "no hard-coded physical names",
    "CP702": "no wildcard IAM actions; resource * only where AWS requires it",
    "CP703": "encryption at rest on queues, topics, tables and buckets; buckets block public access",
}

NAME_PROPS = {
    "AWS::Lambda::Function": "FunctionName", "AWS::SQS::Queue": "QueueName", "AWS::DynamoDB::Table": "TableName",
    "AWS::S3::Bucket": "BucketName", "AWS::SNS::Topic": "TopicName", "AWS::IAM::Role": "RoleName",
    "AWS::StepFunctions::StateMachine": "StateMachineName", "AWS::Glue::Job": "Name",
    "AWS::Events::Rule": "Name", "AWS::Logs::LogGroup": "LogGroupName", "AWS::ECS::Cluster": "ClusterName",
    "AWS::ECS::Service": "ServiceName", "AWS::IoT::TopicRule": "RuleName", "AWS::Scheduler::Schedule": "Name",
}
# Actions AWS only authorises on resource "*".
STAR_OK = {"ecr:GetAuthorizationToken", "xray:PutTraceSegments", "xray:PutTelemetryRecords",
           "logs:CreateLogGroup", "iot:DescribeEndpoint", "ec2:CreateNetworkInterface",
           "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"}
GLUE_SYNC = {"glue:StartJobRun", "glue:GetJobRun", "glue:GetJobRuns", "glue:BatchStopJobRun"}
FARGATE = {256: [512, 1024, 2048], 512: list(range(1024, 4097, 1024)), 1024: list(range(2048, 8193, 1024)),
           2048: list(range(4096, 16385, 1024)), 4096: list(range(8192, 30721, 1024)),
           8192: list(range(16384, 61441, 4096)), 16384: list(range(32768, 122881, 8192))}
PUSH_PRINCIPALS = {"sns": "sns.amazonaws.com", "s3": "s3.amazonaws.com", "events": "events.amazonaws.com",
                   "iot": "iot.amazonaws.com", "apigateway": "apigateway.amazonaws.com"}


def refs(v: Any) -> set[str]:
    """Logical ids (and parameters) a value references."""
    out: set[str] = set()
    if isinstance(v, dict):
        if set(v) == {"Ref"}:
            out.add(v["Ref"])
        elif set(v) == {"Fn::GetAtt"}:
            g = v["Fn::GetAtt"]
            out.add(g[0] if isinstance(g, list) else g.split(".")[0])
        elif set(v) == {"Fn::Sub"}:
            text = v["Fn::Sub"] if isinstance(v["Fn::Sub"], str) else v["Fn::Sub"][0]
            out |= {m.split(".")[0] for m in re.findall(r"\$\{([^}!]+)\}", text) if not m.startswith("AWS::")}
        else:
            for x in v.values():
                out |= refs(x)
    elif isinstance(v, list):
        for x in v:
            out |= refs(x)
    return out


def _target(v: Any) -> str | None:
    r = refs(v)
    return next(iter(r)) if len(r) == 1 else None


def _num(v) -> Decimal | None:
    try:
        return Decimal(str(v))
    except Exception:
        return None


def _props(res: dict) -> dict:
    return res.get("Properties") or {}


def check(template: dict, facts: dict | None = None) -> list[str]:
    res = template.get("Resources") or {}
    out: list[str] = []
    for fn in (_sqs, _push, _cycles, _claim_check, _streams, _schedules, _states, _fargate, _names, _iam,
               _encryption):
        out += fn(res, facts or {})
    return out


def of(res, typ):
    return [(k, r) for k, r in res.items() if r.get("Type") == typ]


# ---- SQS ---------------------------------------------------------------------------------------------

def _sqs(res, facts) -> list[str]:
    out = []
    for mid, m in of(res, "AWS::Lambda::EventSourceMapping"):
        p = _props(m)
        qid = _target(p.get("EventSourceArn"))
        fid = _target(p.get("FunctionName"))
        q, f = res.get(qid), res.get(fid)
        if not q or q.get("Type") != "AWS::SQS::Queue":
            continue
        qp, fp = _props(q), _props(f or {})
        timeout = _num(fp.get("Timeout", 3)) or Decimal(3)
        window = _num(p.get("MaximumBatchingWindowInSeconds", 0)) or Decimal(0)
        vis = _num(qp.get("VisibilityTimeout", 30)) or Decimal(30)
        need = 6 * timeout + window
        if vis < need:
            out.append(f"CP101 {qid}: VisibilityTimeout {vis} s < 6 x {timeout} s timeout of {fid} + {window} s "
                       f"batching window = {need} s")
        mc = _num(((p.get("ScalingConfig") or {}).get("MaximumConcurrency")))
        if mc is not None:
            if not 2 <= mc <= 1000:
                out.append(f"CP102 {mid}: MaximumConcurrency {mc} is outside 2-1000")
            rc = _num(fp.get("ReservedConcurrentExecutions"))
            if rc is not None and mc > rc:
                out.append(f"CP102 {mid}: MaximumConcurrency {mc} > reserved concurrency {rc} of {fid}")
        batch = _num(p.get("BatchSize", 10)) or Decimal(10)
        fifo = bool(qp.get("FifoQueue"))
        if not fifo and batch > 10 and not window:
            out.append(f"CP103 {mid}: BatchSize {batch} > 10 on a standard queue needs MaximumBatchingWindowInSeconds")
        if fifo:
            if batch > 10:
                out.append(f"CP104 {mid}: BatchSize {batch} > 10 on a FIFO queue")
            if "MaximumBatchingWindowInSeconds" in p:
                out.append(f"CP104 {mid}: FIFO queues do not support MaximumBatchingWindowInSeconds")
    for qid, q in of(res, "AWS::SQS::Queue"):
        qp = _props(q)
        dlq = _target((qp.get("RedrivePolicy") or {}).get("deadLetterTargetArn"))
        if qp.get("FifoQueue") and dlq and not _props(res.get(dlq, {})).get("FifoQueue"):
            out.append(f"CP104 {qid}: a FIFO queue needs a FIFO dead-letter queue ({dlq} is standard)")
    return out


# ---- push sources ------------------------------------------------------------------------------------

def _sources(res) -> list[tuple[str, str, str]]:
    """(source logical id, function logical id, service) for every push into a function."""
    out = []
    for sid, s in of(res, "AWS::SNS::Subscription"):
        p = _props(s)
        if p.get("Protocol") == "lambda":
            out.append((_target(p.get("TopicArn")), _target(p.get("Endpoint")), "sns"))
    for bid, bk in of(res, "AWS::S3::Bucket"):
        for lc in (_props(bk).get("NotificationConfiguration") or {}).get("LambdaConfigurations") or []:
            out.append((bid, _target(lc.get("Function")), "s3"))
    for rid, r in of(res, "AWS::Events::Rule"):
        for t in _props(r).get("Targets") or []:
            tid = _target(t.get("Arn"))
            if res.get(tid, {}).get("Type") == "AWS::Lambda::Function":
                out.append((rid, tid, "events"))
    for rid, r in of(res, "AWS::IoT::TopicRule"):
        for a in (_props(r).get("TopicRulePayload") or {}).get("Actions") or []:
            if "Lambda" in a:
                out.append((rid, _target(a["Lambda"].get("FunctionArn")), "iot"))
    for iid, i in of(res, "AWS::ApiGatewayV2::Integration"):
        p = _props(i)
        fids = [x for x in refs(p.get("IntegrationUri")) if res.get(x, {}).get("Type") == "AWS::Lambda::Function"]
        for fid in fids:
            out.append((_target(p.get("ApiId")), fid, "apigateway"))
    for mid, m in of(res, "AWS::ApiGateway::Method"):  # REST: the integration is nested in the method
        p = _props(m)
        integ = p.get("Integration") or {}
        if integ.get("Type") in ("AWS_PROXY", "AWS"):
            for fid in [x for x in refs(integ.get("Uri")) if res.get(x, {}).get("Type") == "AWS::Lambda::Function"]:
                out.append((_target(p.get("RestApiId")), fid, "apigateway"))
    return out


def _push(res, facts) -> list[str]:
    out = []
    perms = [_props(p) for _, p in of(res, "AWS::Lambda::Permission")]
    for src, fid, svc in _sources(res):
        ok = False
        for p in perms:
            if _target(p.get("FunctionName")) != fid or p.get("Principal") != PUSH_PRINCIPALS[svc]:
                continue
            sa = p.get("SourceArn")
            if sa is None:
                continue
            r = refs(sa)
            # S3 permissions name the bucket through its name parameter (no GetAtt, no cycle)
            bucket_name = _props(res.get(src, {})).get("BucketName")
            if src in r or (bucket_name is not None and refs(bucket_name) & r):
                ok = True
        if not ok:
            out.append(f"CP201 {fid}: invoked by {svc} ({src}) without a Lambda::Permission for "
                       f"{PUSH_PRINCIPALS[svc]} with SourceArn")
    return out


def _cycles(res, facts) -> list[str]:
    graph = {}
    for k, r in res.items():
        deps = refs(r.get("Properties") or {}) | set([r["DependsOn"]] if isinstance(r.get("DependsOn"), str)
                                                     else r.get("DependsOn") or [])
        graph[k] = {d for d in deps if d in res}
    seen, stack, out = set(), [], []

    def visit(n):
        if n in stack:
            cyc = stack[stack.index(n):] + [n]
            out.append("CP202 " + cyc[0] + ": dependency cycle " + " -> ".join(cyc))
            return True
        if n in seen:
            return False
        seen.add(n)
        stack.append(n)
        for d in sorted(graph[n]):
            if visit(d):
                return True
        stack.pop()
        return False

    for n in sorted(graph):
        if n not in seen and visit(n):
            break
    return out


def _claim_check(res, facts) -> list[str]:
    out = []
    for bid, bk in of(res, "AWS::S3::Bucket"):
        bp = _props(bk)
        for lc in (bp.get("NotificationConfiguration") or {}).get("LambdaConfigurations") or []:
            fid = _target(lc.get("Function"))
            rules = ((lc.get("Filter") or {}).get("S3Key") or {}).get("Rules") or []
            prefix = next((r.get("Value") for r in rules if str(r.get("Name")).lower() == "prefix"), "")
            fp = _props(res.get(fid, {}))
            env = (fp.get("Environment") or {}).get("Variables") or {}
            same = refs(env.get("OUTPUT_BUCKET")) & ({bid} | refs(bp.get("BucketName")))
            if same and str(env.get("OUTPUT_PREFIX", "")).startswith(prefix):
                out.append(f"CP203 {fid}: writes under {env.get('OUTPUT_PREFIX', '')!r} in {bid}, inside the "
                           f"trigger prefix {prefix!r} (recursive trigger)")
            if fp.get("RecursiveLoop") != "Terminate":
                out.append(f"CP203 {fid}: S3-triggered function without RecursiveLoop: Terminate")
    return out


# ---- DynamoDB ----------------------------------------------------------------------------------------

def _streams(res, facts) -> list[str]:
    out = []
    for mid, m in of(res, "AWS::Lambda::EventSourceMapping"):
        p = _props(m)
        src = p.get("EventSourceArn")
        tid = _target(src)
        if res.get(tid, {}).get("Type") == "AWS::DynamoDB::Table" and "StartingPosition" not in p:
            out.append(f"CP301 {mid}: DynamoDB stream mapping without StartingPosition")
    want = ((facts.get("ttl") or {}).get("attribute"))
    if want:
        have = [_props(t).get("TimeToLiveSpecification") or {} for _, t in of(res, "AWS::DynamoDB::Table")]
        if not any(h.get("AttributeName") == want and h.get("Enabled") for h in have):
            out.append(f"CP302 Table: no table has TTL enabled on the plan's attribute {want!r}")
    return out


# ---- schedules ---------------------------------------------------------------------------------------

RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")


def schedule_problem(expr: str) -> str | None:
    if expr.startswith("rate("):
        m = RATE.match(expr)
        if not m:
            return f"{expr!r} is not rate(<n> <unit>)"
        n, unit = int(m.group(1)), m.group(2)
        if n < 1:
            return f"{expr!r}: the value must be at least 1"
        if (n == 1) != (not unit.endswith("s")):
            return f"{expr!r}: use the singular unit only for 1 (rate(1 {unit.rstrip('s')}), rate({n} {unit.rstrip('s')}s))"
        return None
    if expr.startswith("cron("):
        fields = expr[5:-1].split()
        if len(fields) != 6:
            return f"{expr!r}: cron needs 6 fields (minutes hours day-of-month month day-of-week year), got {len(fields)}"
        if (fields[2] == "?") + (fields[4] == "?") != 1 or expr.count("?") != 1:
            return f"{expr!r}: exactly one of day-of-month and day-of-week must be ?"
        return None
    if expr.startswith("at("):
        return None
    return f"{expr!r} is neither rate(...) nor cron(...)"


def _schedules(res, facts) -> list[str]:
    out = []
    for typ in ("AWS::Events::Rule", "AWS::Scheduler::Schedule"):
        for k, r in of(res, typ):
            e = _props(r).get("ScheduleExpression")
            if isinstance(e, str) and (p := schedule_problem(e)):
                out.append(f"CP401 {k}: {p}")
    return out


# ---- Step Functions ----------------------------------------------------------------------------------

def _definition(p: dict) -> tuple[dict | None, str]:
    d = p.get("DefinitionString")
    if isinstance(d, dict) and "Fn::Sub" in d:
        d = d["Fn::Sub"] if isinstance(d["Fn::Sub"], str) else d["Fn::Sub"][0]
    if isinstance(d, str):
        try:
            return json.loads(d), d
        except ValueError:
            return None, d
    if isinstance(p.get("Definition"), dict):
        return p["Definition"], json.dumps(p["Definition"])
    return None, ""


def _walk_states(states: dict):
    for name, s in (states or {}).items():
        yield name, s, states
        for br in s.get("Branches") or []:
            yield from _walk_states(br.get("States"))
        if s.get("Iterator") or s.get("ItemProcessor"):
            yield from _walk_states((s.get("Iterator") or s.get("ItemProcessor")).get("States"))


def _states(res, facts) -> list[str]:
    out = []
    for sid, sm in of(res, "AWS::StepFunctions::StateMachine"):
        p = _props(sm)
        d, text = _definition(p)
        if d is None:
            out.append(f"CP501 {sid}: definition is not JSON")
            continue
        states = d.get("States") or {}
        if d.get("StartAt") not in states:
            out.append(f"CP501 {sid}: StartAt {d.get('StartAt')!r} is not a state")
        invoked, glue = set(), False
        for name, s, scope in _walk_states(states):
            targets = [s.get("Next"), s.get("Default")] + [c.get("Next") for c in s.get("Choices") or []] + \
                      [c.get("Next") for c in s.get("Catch") or []]
            for t in targets:
                if t is not None and t not in scope:
                    out.append(f"CP501 {sid}: state {name!r} goes to {t!r}, which does not exist")
            if s.get("Type") == "Task":
                params = s.get("Parameters") or {}
                for key in ("FunctionName", "JobName"):
                    if isinstance(params.get(key), str):
                        invoked |= {m.split(".")[0] for m in re.findall(r"\$\{([^}]+)\}", params[key])}
                glue = glue or "glue:startJobRun.sync" in str(s.get("Resource"))
        role = res.get(_target(p.get("RoleArn")) or "", {})
        granted, actions = set(), set()
        for pol in _props(role).get("Policies") or []:
            for st in (pol.get("PolicyDocument") or {}).get("Statement") or []:
                acts = st.get("Action")
                acts = [acts] if isinstance(acts, str) else acts or []
                if any(a.startswith(("lambda:", "glue:")) for a in acts):
                    granted |= refs(st.get("Resource"))
                    actions |= set(acts)
        invoked = {i for i in invoked if i in res}
        granted = {g for g in granted if g in res}
        if invoked != granted:
            out.append(f"CP502 {sid}: role grants {sorted(granted)} but the states invoke {sorted(invoked)}")
        if glue and not GLUE_SYNC <= actions:
            out.append(f"CP502 {sid}: a Glue .sync task needs {sorted(GLUE_SYNC)}; role has "
                       f"{sorted(a for a in actions if a.startswith('glue:'))}")
        extra = {a for a in actions if a.startswith("glue:")} - GLUE_SYNC
        if extra:
            out.append(f"CP502 {sid}: role grants Glue actions the states do not use: {sorted(extra)}")
    return out


# ---- ECS, names, IAM, encryption ---------------------------------------------------------------------

def _fargate(res, facts) -> list[str]:
    out = []
    for k, t in of(res, "AWS::ECS::TaskDefinition"):
        p = _props(t)
        if "FARGATE" not in (p.get("RequiresCompatibilities") or []):
            continue
        try:
            cpu, mem = int(p.get("Cpu")), int(p.get("Memory"))
        except (TypeError, ValueError):
            out.append(f"CP601 {k}: Fargate Cpu/Memory must be set as numbers")
            continue
        if mem not in FARGATE.get(cpu, []):
            out.append(f"CP601 {k}: Cpu {cpu} / Memory {mem} is not a Fargate size")
    return out


def _names(res, facts) -> list[str]:
    out = []
    for k, r in res.items():
        prop = NAME_PROPS.get(r.get("Type"))
        v = _props(r).get(prop) if prop else None
        if v is None:
            continue
        if isinstance(v, str):
            out.append(f"CP701 {k}: hard-coded {prop} {v!r} (a second deploy in the account collides)")
        elif isinstance(v, dict) and "Fn::Sub" in v and "AWS::StackName" not in str(v) and not refs(v):
            out.append(f"CP701 {k}: {prop} is constant across stacks")
    return out


def _statements(r: dict) -> list[dict]:
    p = _props(r)
    docs = [pol.get("PolicyDocument") or {} for pol in p.get("Policies") or []]
    if r.get("Type") in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
        docs.append(p.get("PolicyDocument") or {})
    return [st for d in docs for st in (d.get("Statement") or [])]


def _iam(res, facts) -> list[str]:
    out = []
    for k, r in res.items():
        if r.get("Type") not in ("AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            continue
        for st in _statements(r):
            acts = st.get("Action")
            acts = [acts] if isinstance(acts, str) else acts or []
            for a in acts:
                if "*" in str(a):
                    out.append(f"CP702 {k}: wildcard action {a!r}")
            rs = st.get("Resource")
            rs = [rs] if not isinstance(rs, list) else rs
            if "*" in rs and not set(acts) <= STAR_OK:
                out.append(f"CP702 {k}: Resource '*' for {sorted(set(acts) - STAR_OK)} (AWS does not require it)")
    return out


def _encryption(res, facts) -> list[str]:
    out = []
    for k, r in res.items():
        p, t = _props(r), r.get("Type")
        if t == "AWS::SQS::Queue" and not (p.get("SqsManagedSseEnabled") or p.get("KmsMasterKeyId")):
            out.append(f"CP703 {k}: queue without encryption at rest")
        if t == "AWS::SNS::Topic" and not p.get("KmsMasterKeyId"):
            out.append(f"CP703 {k}: topic without KmsMasterKeyId")
        if t == "AWS::DynamoDB::Table" and not (p.get("SSESpecification") or {}).get("SSEEnabled"):
            out.append(f"CP703 {k}: table without SSESpecification.SSEEnabled")
        if t == "AWS::S3::Bucket":
            if not p.get("BucketEncryption"):
                out.append(f"CP703 {k}: bucket without BucketEncryption")
            pab = p.get("PublicAccessBlockConfiguration") or {}
            if not all(pab.get(x) is True for x in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls",
                                                    "RestrictPublicBuckets")):
                out.append(f"CP703 {k}: bucket without all four PublicAccessBlockConfiguration settings true")
    return out


# ---- Terraform ---------------------------------------------------------------------------------------

def check_terraform(module) -> list[str]:
    """Rules on the Terraform form: references resolve to declared blocks; no wildcard IAM actions."""
    from costplan.templates import hcl

    text = "\n".join(hcl.dumps(x) for x in (module.resources, module.variables, module.outputs, module.data))
    return dangling_references(text) + [
        f"CP702 {m}: wildcard action in Terraform policy" for m in re.findall(r'"([a-z0-9-]+:[A-Za-z]*\*)"', text)]


REF = re.compile(r"\b(var\.[a-z_][a-z0-9_]*|data\.[a-z0-9_]+\.[a-z_][a-z0-9_]*|aws_[a-z0-9_]+\.[a-z_][a-z0-9_]*)")


def declared(text: str) -> set[str]:
    out = set()
    for kind, a, b in re.findall(r'^(resource|data|variable)\s+"([^"]+)"(?:\s+"([^"]+)")?', text, re.M):
        out.add({"resource": f"{a}.{b}", "data": f"data.{a}.{b}", "variable": f"var.{a}"}[kind])
    return out


_HEREDOC_LIVE = re.compile(r"(?<!\$)\$\{([^}]*)\}")


def _live(line: str) -> str:
    """The parts of a line of HCL that Terraform evaluates: code outside strings, and the `${...}`
    interpolations inside them. The literal text of a string ("costplan data.pipeline.v2 (...)", a
    scenario's name in a description) refers to nothing."""
    out, i, n = [], 0, len(line)
    while i < n:
        c = line[i]
        if c == "#" or line.startswith("//", i):
            break
        if c != '"':
            out.append(c)
            i += 1
            continue
        i += 1  # inside a string: keep only ${...} (not $${, which is a literal "${")
        while i < n and line[i] != '"':
            if line[i] == "\\":
                i += 2
            elif line.startswith("$${", i):
                i += 3
            elif line.startswith("${", i):
                depth, j = 0, i + 1
                while j < n:
                    depth += {"{": 1, "}": -1}.get(line[j], 0)
                    if depth == 0:
                        break
                    j += 1
                out.append(" " + line[i + 2:j] + " ")
                i = j + 1
            else:
                i += 1
        i += 1
    return "".join(out)


def dangling_references(text: str) -> list[str]:
    decl = declared(text)
    used = set()
    heredoc = None
    for line in text.splitlines():
        s = line.strip()
        if heredoc is not None:  # a heredoc's body is a template: only its ${...} interpolations are live
            if s == heredoc:
                heredoc = None
            else:
                used |= set(REF.findall(" ".join(_HEREDOC_LIVE.findall(line))))
            continue
        if s.startswith("#") or s.startswith(("resource ", "data ", "variable ", "output ")):
            continue
        m = re.search(r"<<-?([A-Z_]+)\s*$", line)
        if m:
            heredoc = m.group(1)
        used |= set(REF.findall(_live(line)))
    return [f"TF001 {u}: reference to an undeclared resource or variable" for u in sorted(used - decl)]
