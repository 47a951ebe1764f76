# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""`make bench`: how long `nodeops.crio.site` takes, with and without pipelining.

Six bed nodes (molecule/resources/nodes.yml) are converged from the bed's mirror. Measured,
once per pipelining setting: the first converge of one fresh node (artifacts
cached on the mirror), an idempotent re-converge and a check-mode run of that
node, and re-converges of 1, 3 and 6 converged nodes; then the idempotent
re-converge of a seventh node that runs kubelet (made as the kubelet scenario's
prepare.yml makes its node), wired to CRI-O by the same playbook. Every run also
records how many of the machine's cores were busy. Per-task times come from
ansible.posix.profile_tasks. Writes bench/results/results.{md,json} and
bench/results/chart.png.
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / 'results'
NODES = [f'nodeops-bench-node{i}' for i in range(1, 7)]
KUBELET_NODE = 'nodeops-bench-node7'
FLEET = (1, 3, 6)
MODES = {'no pipelining': 'False', 'pipelining': 'True'}
TARGETS = {'first': 30.0, 'reconverge': 15.0, 'kubelet': 20.0}
RECAP = re.compile(r'^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)')
PROFILE_LINE = re.compile(r'^(.+?) -*\s*(\d+\.\d\d)s$')


def busy_seconds() -> float:
    """CPU time the whole machine has spent busy (user, nice, system, irq, softirq)."""
    fields = Path('/proc/stat').read_text().split('\n', 1)[0].split()[1:]
    return sum(int(fields[i]) for i in (0, 1, 2, 5, 6)) / os.sysconf('SC_CLK_TCK')


def ansible_playbook(*args: str, pipelining: str = 'True', playbook: str = 'nodeops.crio.site') -> dict:
    """Run a playbook; return wall time, busy cores, recap and per-task times."""
    env = dict(os.environ,
               ANSIBLE_PIPELINING=pipelining,
               ANSIBLE_CALLBACKS_ENABLED='ansible.posix.profile_tasks',
               PROFILE_TASKS_TASK_OUTPUT_LIMIT='all',
               ANSIBLE_FORKS='10',
               ANSIBLE_NOCOLOR='1',
               COLUMNS='250')
    argv = ['ansible-playbook', '-i', str(HERE / 'inventory.yml'),
            '-e', '@' + str(ROOT / 'molecule/resources/vars/airgap-node.yml'), playbook, *args]
    start, busy = time.monotonic(), busy_seconds()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - start
    cores = (busy_seconds() - busy) / wall
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-6000:] + proc.stderr[-3000:])
        raise SystemExit(f'ansible-playbook {" ".join(args)} failed ({proc.returncode})')
    return {'wall': round(wall, 2), 'cores': round(cores, 2), **parse(proc.stdout)}


def parse(stdout: str) -> dict:
    recap, tasks, in_summary = {}, {}, False
    for line in stdout.splitlines():
        match = RECAP.match(line)
        if match:
            ok, changed, _unreachable, failed, skipped = map(int, match.groups()[1:])
            recap[match.group(1)] = {'ok': ok, 'changed': changed, 'failed': failed, 'skipped': skipped}
        elif line.startswith('TASKS RECAP'):
            in_summary = True
        elif in_summary and (match := PROFILE_LINE.match(line)) and not line.startswith('='):
            tasks[match.group(1).strip()] = float(match.group(2))
    if not tasks:
        raise SystemExit('no profile_tasks summary in the output; is ansible.posix installed?')
    return {'recap': recap, 'tasks': tasks}


def measure() -> dict:
    runs = {mode: {} for mode in MODES}
    for fresh, mode in zip(NODES, MODES):
        print(f'bench: first converge, {mode}', flush=True)
        runs[mode]['first'] = ansible_playbook('--limit', fresh, pipelining=MODES[mode])
    # The rest of the fleet is converged once, unmeasured.
    ansible_playbook('--limit', ','.join(NODES[len(MODES):]))
    for mode, pipelining in MODES.items():
        print(f'bench: re-converge, check mode and fleet, {mode}', flush=True)
        run = runs[mode]
        run['reconverge'] = ansible_playbook('--limit', NODES[0], pipelining=pipelining)
        run['check'] = ansible_playbook('--limit', NODES[0], '--check', pipelining=pipelining)
        run['fleet'] = {1: run['reconverge']}
        for count in FLEET[1:]:
            run['fleet'][count] = ansible_playbook('--limit', ','.join(NODES[:count]), pipelining=pipelining)
    print('bench: a node with kubelet', flush=True)
    ansible_playbook('--limit', KUBELET_NODE, playbook=str(ROOT / 'molecule/kubelet/prepare.yml'))
    ansible_playbook('--limit', KUBELET_NODE)
    for mode, pipelining in MODES.items():
        runs[mode]['kubelet'] = ansible_playbook('--limit', KUBELET_NODE, pipelining=pipelining)
    return runs


def versions() -> dict:
    def first_line(*argv: str) -> str:
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
        return (proc.stdout or proc.stderr).strip().splitlines()[0] if proc.returncode == 0 else 'unknown'

    return {
        'cores': os.cpu_count(),
        'kernel': platform.release(),
        'python': platform.python_version(),
        'ansible-core': first_line('ansible', '--version'),
        'docker': first_line('docker', 'version', '--format', '{{.Server.Version}}'),
        'crio': first_line('docker', 'exec', NODES[0], 'crio', '--version'),
    }


def top_tasks(runs: dict, key: str, count: int = 10) -> list[tuple[str, list[float]]]:
    names = set()
    for run in runs.values():
        names |= set(run[key]['tasks'])
    rows = [(n, [runs[m][key]['tasks'].get(n, 0.0) for m in MODES]) for n in names]
    return sorted(rows, key=lambda row: -max(row[1]))[:count]


def tasks_run(run: dict) -> str:
    host = sorted(run['recap'])[0]
    stats = run['recap'][host]
    return f'{len(run["tasks"])} ({stats["ok"]} ok, {stats["changed"]} changed, {stats["skipped"]} skipped)'


def fleet_note(runs: dict) -> str:
    """How far the machine's cores let the fleet go: the lower bound of the 6-node time."""
    cores = os.cpu_count() or 1
    lines = []
    for mode in MODES:
        one, six = runs[mode]['fleet'][1], runs[mode]['fleet'][6]
        bound = six['wall'] * six['cores'] / cores
        lines.append(f'{mode}: one node kept {one["cores"]:.2f} of {cores} cores busy for {one["wall"]:.1f} s; six nodes '
                     f'used {six["wall"] * six["cores"]:.0f} CPU seconds, which {cores} cores cannot serve in less than '
                     f'{bound:.1f} s ({bound / one["wall"]:.2f}x).')
    return 'Fleet and cores: ' + ' '.join(lines) + '\n'


def markdown(runs: dict, info: dict) -> str:
    modes = list(MODES)
    head = '| figure | ' + ' | '.join(modes) + ' | target |\n|' + ' --- |' * (len(modes) + 2) + '\n'
    rows = [
        ('first converge, 1 fresh node', 'first', f'< {TARGETS["first"]:.0f} s'),
        ('idempotent re-converge, 1 node', 'reconverge', f'< {TARGETS["reconverge"]:.0f} s'),
        ('check mode, 1 converged node', 'check', ''),
        ('idempotent re-converge with kubelet, 1 node', 'kubelet', f'< {TARGETS["kubelet"]:.0f} s'),
    ]
    body = ''.join(f'| {label} | ' + ' | '.join(f'{runs[m][key]["wall"]:.1f} s ({runs[m][key]["cores"]:.2f})' for m in modes)
                   + f' | {target} |\n' for label, key, target in rows)
    for count in FLEET[1:]:
        cells = [f'{runs[m]["fleet"][count]["wall"]:.1f} s ({runs[m]["fleet"][count]["cores"]:.2f}; '
                 f'{runs[m]["fleet"][count]["wall"] / runs[m]["fleet"][1]["wall"]:.2f}x)' for m in modes]
        body += f'| re-converge, {count} nodes (ratio to 1) | ' + ' | '.join(cells) + (' | < 2x |\n' if count == 6 else ' | |\n')
    for label, key in (('tasks started, first converge', 'first'), ('tasks started, re-converge', 'reconverge')):
        body += f'| {label} | ' + ' | '.join(tasks_run(runs[m][key]) for m in modes) + ' | |\n'
    text = ['# nodeops.crio benchmark', '',
            'Machine: ' + ', '.join(f'{k} {v}' for k, v in info.items()) + '.', '',
            'Roles run: crio and crictl through `nodeops.crio.site` over the docker connection; on the node with kubelet,',
            'the kubelet role too. Each figure is one run, with the cores the machine kept busy during it in brackets',
            '(CPU seconds over wall seconds); `make bench` regenerates this page.', '',
            head + body, fleet_note(runs)]
    for key, title in (('first', 'first converge'), ('reconverge', 're-converge')):
        text += [f'## Slowest tasks, {title} (profile_tasks)', '',
                 '| task | ' + ' | '.join(modes) + ' |', '|' + ' --- |' * (len(modes) + 1)]
        text += [f'| {name.replace("|", chr(92) + "|")} | ' + ' | '.join(f'{t:.2f} s' for t in times) + ' |'
                 for name, times in top_tasks(runs, key)]
        text.append('')
    return '\n'.join(text) + '\n'


def chart(runs: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    labels = ['first\nconverge', 're-converge\n1 node', 'check\nmode', 'with kubelet\n1 node']
    labels += [f're-converge\n{n} nodes' for n in FLEET[1:]]
    fig, axis = plt.subplots(figsize=(9, 4.5), dpi=100)
    width = 0.38
    for offset, mode in enumerate(MODES):
        run = runs[mode]
        values = [run['first']['wall'], run['reconverge']['wall'], run['check']['wall'], run['kubelet']['wall']]
        values += [run['fleet'][n]['wall'] for n in FLEET[1:]]
        bars = axis.bar([i + (offset - 0.5) * width for i in range(len(labels))], values, width, label=mode)
        axis.bar_label(bars, fmt='%.1f', fontsize=8)
    for index, key in ((0, 'first'), (1, 'reconverge'), (3, 'kubelet')):
        axis.hlines(TARGETS[key], index - 0.45, index + 0.45, colors='red', linestyles='dashed')
    axis.set_xticks(range(len(labels)), labels)
    axis.set_ylabel('wall time, seconds')
    axis.set_title(f'nodeops.crio.site on bed nodes ({os.cpu_count()} cores); dashed: target')
    axis.legend()
    fig.tight_layout()
    fig.savefig(path, metadata={'Software': None})
    plt.close(fig)


def nodes(state: str) -> None:
    subprocess.run(['ansible-playbook', '-i', 'localhost,', str(ROOT / 'molecule/resources/nodes.yml'),
                    '-e', 'bed_network=nodeops-bench', '-e', f'nodes_count={len(NODES) + 1}', '-e', f'nodes_state={state}'],
                   check=True, stdout=subprocess.DEVNULL)


def main() -> int:
    RESULTS.mkdir(exist_ok=True)
    nodes('absent')
    nodes('present')
    try:
        runs = measure()
        info = versions()
    finally:
        nodes('absent')
    (RESULTS / 'results.json').write_text(json.dumps({'machine': info, 'runs': runs}, indent=1, sort_keys=True) + '\n')
    (RESULTS / 'results.md').write_text(markdown(runs, info))
    chart(runs, RESULTS / 'chart.png')
    print((RESULTS / 'results.md').read_text())
    return 0


if __name__ == '__main__':
    sys.exit(main())
