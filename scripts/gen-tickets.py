#!/usr/bin/env python3
"""Writes a realistic queue of support tickets for `beian triage`, as JSON Lines, to standard output.

Each ticket is put together the way people write them: an optional greeting, an optional order number,
a pasted rejection notice (one or several reasons) and/or a question in their own words, with a sign-off.
Some lines are broken on purpose, as real exports are: malformed JSON, a missing or non-string "text",
empty lines, a huge (1 MB) ticket and lines that are not UTF-8. The same --seed gives the same file.

Examples:
  python3 scripts/gen-tickets.py --count 100000 > tickets.jsonl
  python3 scripts/gen-tickets.py --count 200 --seed 7 --huge 1 > small.jsonl
  python3 scripts/gen-tickets.py --count 1000 --clean --text > questions.txt   # plain lines for --text
"""

import argparse
import base64
import json
import random
import sys

GREETINGS = [
    "您好，", "你好，", "客服您好：", "你好 ", "Hi，", "hello，", "在吗？", "麻烦问一下，", "急！", "",
]

ORDER_NUMBERS = [
    "订单号：ICP{n:010d}", "备案订单号 {n:012d}", "工单编号：W-{n:08d}", "申请单号:BA{n:09d}", "订单 {n:010d}",
]

# Reasons as providers and bureaus word them in their notices.
NOTICE_REASONS = [
    "域名所有人不正确，域名实名认证信息与主办单位名称不一致",
    "域名未实名认证，未查询到域名实名信息",
    "网站负责人身份证已过期，请更换有效证件",
    "主体负责人证件即将过期",
    "幕布照片不清晰，请重新拍摄",
    "人脸核验失败，请网站负责人本人扫码重新核验",
    "通信地址不详，需具体到门牌号",
    "联系电话无法接通，管局核查电话无人接听",
    "工信部短信核验超时未完成，订单已自动退回",
    "网站名称不符合规范，不能使用个人姓名以外的名称",
    "网站内容与备案信息不符",
    "个人备案网站不得涉及企业、论坛或经营性内容",
    "涉及前置审批内容，需提供相关部门的前置审批文件",
    "(1003) 网站主办者冲突，主体已在工信部存在备案记录",
    "(1005) 域名冲突，该域名在备案信息库中已存在",
    "域名已经到期，请续费后再提交",
    "域名后缀不支持备案",
    "注册商非工信部批复的注册服务机构",
    "未备案域名未关闭解析，网站未备案通过前已开通访问",
    "企业经营状态异常，被列入经营异常名录",
    "主体负责人非法人，需提供法人授权书",
    "跨省备案：营业执照证件地址不在备案省份",
    "已备案的网站无法访问，已备案的网站底部未添加备案号",
    "一个网站仅允许填报一个域名",
    "服务器为按量付费实例，不能用于备案",
    "备注栏写明网站的具体用途，请备注详细",
    "主办单位名称需与原备案信息一致",
    "手机号码不是本人实名办理",
]

NOTICE_LEADS = [
    "您的ICP备案申请已被管局退回，原因如下：",
    "审核驳回，驳回原因：",
    "备案订单被退回，具体原因如下：",
    "初审驳回：",
    "【备案审核通知】您提交的备案信息审核不通过，原因：",
]

NOTICE_TAILS = ["请修改后重新提交。", "请按要求整改后再次提交。", "如有疑问请联系备案客服。", ""]

QUESTIONS = [
    "请问这个要怎么改？",
    "备案被驳回了怎么办",
    "多久可以重新提交？",
    "我该怎么处理，急用",
    "网站换了云服务商，原来的备案号还能用吗",
    "用香港服务器需要备案吗",
    "第一次做网站，域名刚买，服务器在国内，怎么备案",
    "公司已经有备案了，又注册了一个新域名想再建一个站",
    "备案审核期间网站能访问吗",
    "服务器欠费被释放了，原来的接入被服务商取消了，网站打不开",
    "管局审核要多久，可以催审吗",
    "短信核验一直收不到短信",
    "公安备案在哪里办，要多久",
    "小程序也需要备案吗",
    "网站不做了，怎么注销备案",
    "域名要绑定国内CDN加速，提示域名未备案",
    "网站暂时无法访问，提示未备案或未接入",
    "外籍人士可以在国内备案吗",
    "网站要做会员收费和在线交易，普通备案够不够",
    "how long does the bureau review take?",
    "my ICP filing was rejected, what should I do",
    "怎么查订单进度",
    "你们的发票怎么开",  # out of scope on purpose
    "谢谢",
]

SIGN_OFFS = ["谢谢！", "多谢", "辛苦了", "在线等", "", ""]


def notice(rng):
    reasons = rng.sample(NOTICE_REASONS, rng.choice([1, 1, 2, 2, 3, 4]))
    if len(reasons) == 1:
        body = reasons[0] + "。"
    else:
        body = "".join(f"{i}. {reason}；" for i, reason in enumerate(reasons, 1))
    return rng.choice(NOTICE_LEADS) + body + rng.choice(NOTICE_TAILS)


def ticket_text(rng):
    parts = [rng.choice(GREETINGS)]
    if rng.random() < 0.4:
        parts.append(rng.choice(ORDER_NUMBERS).format(n=rng.randrange(10**8)) + "，")
    shape = rng.random()
    if shape < 0.45:
        parts.append(notice(rng))
        parts.append(rng.choice(QUESTIONS[:4]))
    elif shape < 0.6:
        parts.append(notice(rng))
    else:
        parts.append(rng.choice(QUESTIONS))
    parts.append(rng.choice(SIGN_OFFS))
    text = "".join(parts)
    return text.replace("。", "。\n", 1) if rng.random() < 0.2 else text


def one_line(text):
    return text.replace("\n", " ")


def ticket_id(rng, n):
    return n if rng.random() < 0.3 else f"T-{n:07d}"


def broken_line(rng, n):
    """A line as broken exports have them; all but the empty line still say which ticket they are."""
    kind = rng.choice(["truncated", "no_text", "text_number", "not_object", "garbage", "empty", "not_utf8"])
    good = json.dumps({"id": ticket_id(rng, n), "text": ticket_text(rng)}, ensure_ascii=False)
    if kind == "truncated":
        return good[: len(good) // 2].encode()
    if kind == "no_text":
        return json.dumps({"id": ticket_id(rng, n), "body": ticket_text(rng)}, ensure_ascii=False).encode()
    if kind == "text_number":
        return json.dumps({"id": ticket_id(rng, n), "text": 12381}).encode()
    if kind == "not_object":
        return json.dumps([n, ticket_text(rng)], ensure_ascii=False).encode()
    if kind == "garbage":
        return b"id=%d text=%s" % (n, one_line(ticket_text(rng)).encode())
    if kind == "empty":
        return b""
    # GBK bytes in a UTF-8 export: a classic from spreadsheet tools.
    return json.dumps({"id": ticket_id(rng, n), "text": "x"}).encode().replace(b'"x"', b'"' + one_line(ticket_text(rng)).encode("gbk", "replace") + b'"')


def huge_line(rng, n, size, kind):
    """A 1 MB ticket: a question with a screenshot pasted inline (base64), or a whole mail thread pasted
    (the same notice quoted over and over, so that every segment of it is a reason to rank)."""
    if kind == "attachment":
        head = rng.choice(GREETINGS) + notice(rng) + rng.choice(QUESTIONS[:4]) + "截图：data:image/png;base64,"
        blob = base64.b64encode(rng.randbytes(size)).decode()
        text = head + blob
    else:
        thread = notice(rng) + "\n> "
        text = thread * (size // len(thread.encode()) + 1)
    line = json.dumps({"id": ticket_id(rng, n), "text": text}, ensure_ascii=False).encode()
    cut = line[: size - 2].decode("utf-8", "ignore").rstrip("\\")
    return cut.encode() + b'"}'


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=10000, help="lines to write (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--broken", type=float, default=0.01, help="share of broken lines (default 0.01)")
    parser.add_argument("--huge", type=int, default=None, help="1 MB tickets to include (default: 1 per 10000 lines, at least 1)")
    parser.add_argument("--huge-kind", choices=["attachment", "thread"], default="attachment",
                        help="what a huge ticket holds: a pasted screenshot (default) or a pasted mail thread")
    parser.add_argument("--clean", action="store_true", help="no broken or huge lines")
    parser.add_argument("--text", action="store_true", help="plain text, one ticket per line (for --text); implies --clean")
    args = parser.parse_args()

    rng = random.Random(args.seed)
    clean = args.clean or args.text
    huge = 0 if clean else (args.huge if args.huge is not None else max(1, args.count // 10000))
    huge_at = set(rng.sample(range(args.count), min(huge, args.count)))
    out = sys.stdout.buffer
    for n in range(1, args.count + 1):
        if n - 1 in huge_at:
            line = huge_line(rng, n, 1024 * 1024, args.huge_kind)
        elif not clean and rng.random() < args.broken:
            line = broken_line(rng, n)
        elif args.text:
            line = one_line(ticket_text(rng)).encode()
        else:
            line = json.dumps({"id": ticket_id(rng, n), "text": ticket_text(rng)}, ensure_ascii=False).encode()
        out.write(line + b"\n")


if __name__ == "__main__":
    main()
