#!/usr/bin/env python3
"""text_seeds.py OUT: the seeds of the quiz_bank and oidc fuzz targets (tests/fuzz/make-seeds
calls it). quiz_bank: banks as editors write them (CSV with BOM, CRLF, quotes and newlines in
cells; JSON both ways), each refusal of docs/quiz.md once, and the format byte of fuzz_quiz_bank.c.
oidc: claims payloads the target signs (good, expired, other audience, azp, no nonce, nested
claims, userinfo merged and from another subject) and whole tokens: ES256-signed with the
target's fixed key (needs python3-cryptography), alg none, HS256, broken, a foreign key set."""
import base64, json, os, sys

out = sys.argv[1] if len(sys.argv) > 1 else 'tests/fuzz/corpus'


def put(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# ---- quiz_bank ----------------------------------------------------------------------------
CSV = ('key,kind,category,question,options,answer,explanation\n'
       'q1,single,安全,高处作业必须系什么？,安全带|手套|帽子,A,见第三章\n'
       'q2,multiple,安全,"以下哪些是劳保用品？\n（多选）",安全帽|防护眼镜|"雨伞",A|B,\n'
       'q3,truefalse,法规,劳动合同应当采用书面形式。,,对,\n'
       ',,,"引号""里面""的题",甲|乙|丙|丁,4,\n')
put('quiz_bank', 'csv-good', CSV)
put('quiz_bank', 'csv-bom-crlf', '\ufeff' + CSV.replace('\n', '\r\n'))
put('quiz_bank', 'csv-minimal', 'question,options,answer\n1+1=?,1|2|3,B\n')
put('quiz_bank', 'csv-format', b'\x01question,options,answer\n[1+1]=?,1|2,b\n')
put('quiz_bank', 'csv-eight-options', 'question,options,answer\n八个,a|b|c|d|e|f|g|h,A|C|H\n')
for name, row in [('bad-kind', 'x,essay,,题,a|b,A,'), ('bad-answer', 'x,single,,题,a|b,Z,'),
                  ('two-answers-single', 'x,single,,题,a|b,A|B,'), ('one-option', 'x,single,,题,a,A,'),
                  ('no-text', 'x,single,,,a|b,A,'), ('open-quote', 'x,single,,"题,a|b,A,'),
                  ('truefalse-three', 'x,truefalse,,题,a|b|c,A,')]:
    put('quiz_bank', 'csv-' + name, 'key,kind,category,question,options,answer,explanation\n' + row + '\n')
put('quiz_bank', 'csv-no-header', '题,a|b,A\n')
put('quiz_bank', 'csv-not-utf8', b'question,options,answer\n\xff\xfe,a|b,A\n')
qs = [{'key': 'j1', 'kind': 'single', 'category': '安全', 'text': '灭火器的压力表指针应在？',
       'options': ['红区', '绿区', '黄区'], 'answer': [1], 'explanation': '绿区正常'},
      {'kind': 'multiple', 'question': '哪些属于三违？', 'options': ['违章指挥', '违章作业', '按章操作'], 'answer': ['A', 'B']},
      {'kind': 'truefalse', 'text': '可以酒后上岗。', 'answer': False},
      {'text': '单个数字答案', 'options': ['甲', '乙'], 'answer': 0}]
put('quiz_bank', 'json-array', json.dumps(qs, ensure_ascii=False))
put('quiz_bank', 'json-object', json.dumps({'questions': qs}, ensure_ascii=False, indent=1))
put('quiz_bank', 'json-format', b'\x02' + json.dumps(qs[:1]).encode())
for name, q in [('unknown-field', {'text': 't', 'options': ['a', 'b'], 'answer': 0, 'points': 5}),
                ('options-not-strings', {'text': 't', 'options': [1, 2], 'answer': 0}),
                ('nine-options', {'text': 't', 'options': list('abcdefghi'), 'answer': 0}),
                ('answer-object', {'text': 't', 'options': ['a', 'b'], 'answer': {'a': 1}}),
                ('answer-out-of-range', {'text': 't', 'options': ['a', 'b'], 'answer': [2]}),
                ('no-answer', {'text': 't', 'options': ['a', 'b']})]:
    put('quiz_bank', 'json-' + name, json.dumps([q]))
put('quiz_bank', 'json-not-array', '{"text":"t"}')
put('quiz_bank', 'json-empty', '[]')

# ---- oidc ---------------------------------------------------------------------------------
NOW = 1800000000
ISS, AUD, NONCE = 'https://id.example.org', 'lectern', 'n-0S6_WzA2Mj'


def claims(**kw):
    c = {'iss': ISS, 'aud': AUD, 'sub': 'u-1001', 'exp': NOW + 300, 'iat': NOW - 10, 'nonce': NONCE,
         'name': '王小明', 'employee': {'number': 'A-0042'}, 'org': '第一车间', 'realname': True}
    for k, v in kw.items():
        if v is None:
            c.pop(k, None)
        else:
            c[k] = v
    return json.dumps(c, ensure_ascii=False)


put('oidc', 'claims-good', claims())
put('oidc', 'claims-expired', claims(exp=NOW - 3600))
put('oidc', 'claims-iat-future', claims(iat=NOW + 3600))
put('oidc', 'claims-iat-old', claims(iat=NOW - 7200))
put('oidc', 'claims-other-aud', claims(aud='someone-else'))
put('oidc', 'claims-aud-azp', claims(aud=['lectern', 'other'], azp='lectern'))
put('oidc', 'claims-aud-no-azp', claims(aud=['lectern', 'other']))
put('oidc', 'claims-other-iss', claims(iss='https://evil.example'))
put('oidc', 'claims-no-nonce', claims(nonce=None))
put('oidc', 'claims-no-sub', claims(sub=None))
put('oidc', 'claims-no-exp', claims(exp=None))
put('oidc', 'claims-long-name', claims(name='名' * 150, org='部' * 250, employee={'number': 7}))
put('oidc', 'claims-preferred', claims(name=None, preferred_username='xiaoming', realname='1'))
put('oidc', 'claims-userinfo', claims(name=None, employee=None) + '\n--\n' +
    json.dumps({'sub': 'u-1001', 'name': '王小明', 'employee': {'number': 'B-7'}, 'realname': 'true'}, ensure_ascii=False))
put('oidc', 'claims-userinfo-other-sub', claims() + '\n--\n{"sub":"u-2","name":"别人"}')
put('oidc', 'claims-not-json', '{"iss": ')


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b'=').decode()


def token(header, payload, sig=b''):
    return b64(json.dumps(header).encode()) + '.' + b64(payload.encode()) + '.' + b64(sig)


put('oidc', 'token-alg-none', token({'alg': 'none'}, claims()) + '\n')
put('oidc', 'token-hs256', token({'alg': 'HS256', 'kid': 'fuzz-1'}, claims(), b'\0' * 32))
put('oidc', 'token-bad-sig', token({'alg': 'ES256', 'kid': 'fuzz-1'}, claims(), b'\1' * 64))
put('oidc', 'token-unknown-kid', token({'alg': 'ES256', 'kid': 'nope'}, claims(), b'\1' * 64))
put('oidc', 'token-two-parts', 'eyJhbGciOiJFUzI1NiJ9.e30')
put('oidc', 'token-foreign-set', token({'alg': 'RS256'}, claims(), b'\1' * 256) + '\n' + json.dumps(
    {'keys': [{'kty': 'oct', 'k': 'c2VjcmV0'}, {'kty': 'RSA', 'use': 'enc', 'n': 'AQAB', 'e': 'AQAB'},
              {'kty': 'EC', 'crv': 'P-256', 'x': 'AA', 'y': 'AA'}, 'not a key']}))
try:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    d = int.from_bytes(base64.urlsafe_b64decode('o8i07uIgKdQMwUD1ZUvSqiw4wq9WlcXFSykDiqZKRvI='), 'big')
    key = ec.derive_private_key(d, ec.SECP256R1())

    def signed(payload, kid='fuzz-1'):
        h = {'alg': 'ES256', 'typ': 'JWT'}
        if kid:
            h['kid'] = kid
        si = b64(json.dumps(h).encode()) + '.' + b64(payload.encode())
        r, s = decode_dss_signature(key.sign(si.encode(), ec.ECDSA(hashes.SHA256())))
        return si + '.' + b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))

    put('oidc', 'token-signed', signed(claims()))
    put('oidc', 'token-signed-no-kid', signed(claims(), kid=None))
    put('oidc', 'token-signed-expired', signed(claims(exp=NOW - 3600)))
except ImportError:
    print('text_seeds: python3-cryptography is missing: no signed token seeds', file=sys.stderr)
print('quiz_bank, oidc: %d, %d seeds' % (len(os.listdir(os.path.join(out, 'quiz_bank'))),
                                         len(os.listdir(os.path.join(out, 'oidc')))))
