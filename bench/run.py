# Copyright: nodeops.crio contributors
# Apache License 2.0 (see LICENSE)
"""`make bench`: what `nodeops.crio.site` costs per node, with and without pipelining.

Bed nodes (molecule/resources/nodes.yml) are converged from the bed's mirror. For
1, 3 and 6 fresh nodes, once per pipelining setting, with forks set to the node
count: the first converge and an idempotent re-converge, each as wall time and
as CPU seconds per node, split into the controller (ansible-playbook and every
process it waited for, the docker CLI of the connection among them), the nodes
(their containers' cgroups) and the rest of the machine (Docker's daemons, the
mirror). The CPU floor of a run is its CPU seconds over the machine's cores:
no scheduler can finish it sooner. Then a check-mode run of one converged node,
and the idempotent re-converge of a node that runs kubelet (made as the kubelet
scenario's prepare.yml makes its node). Per-task times come from
ansible.posix.profile_tasks. Writes bench/results/results.{md,json} and
bench/results/chart.png.
"""

from __future__ import annotations

import functools
import json
import os
import platform
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / 'results'
NETWORK = 'nodeops-bench'
NODES = [f'{NETWORK}-node{i}' for i in range(1, 7)]
KUBELET_NODE = f'{NETWORK}-node7'
FLEET = (1, 3, 6)
MODES = {'no pipelining': 'False', 'pipelining': 'True'}
TARGETS = {'first': 30.0, 'reconverge': 15.0, 'kubelet': 20.0}
# The fleets an operator asks about, for the re-converge cost per controller core.
SCALES = (100, 1000)
RECAP = re.compile(r'^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)')
PROFILE_LINE = re.compile(r'^(.+?) -*\s*(\d+\.\d\d)s$')


def busy_seconds() -> float:
    """CPU time the whole machine has spent busy (user, nice, system, irq, softirq)."""
    fields = Path('/proc/stat').read_text().split('\n', 1)[0].split()[1:]
    return sum(int(fields[i]) for i in (0, 1, 2, 5, 6)) / os.sysconf('SC_CLK_TCK')


def children_seconds() -> float:
    """CPU time of this process's waited-for descendants: ansible-playbook and its forks."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@functools.cache
def cgroup_usage(name: str) -> tuple[Path, str]:
    """The file that counts a node container's CPU time: cgroup v1 cpuacct, or v2 cpu.stat."""
    cid = subprocess.run(['docker', 'inspect', '-f', '{{.Id}}', name], capture_output=True, text=True,
                         check=True).stdout.strip()
    for hierarchy in ('cpuacct', 'cpu,cpuacct'):
        if (path := Path(f'/sys/fs/cgroup/{hierarchy}/docker/{cid}/cpuacct.usage')).exists():
            return path, 'v1'
    for scope in (f'system.slice/docker-{cid}.scope', f'docker/{cid}'):
        if (path := Path(f'/sys/fs/cgroup/{scope}/cpu.stat')).exists():
            return path, 'v2'
    raise SystemExit(f'bench: no CPU accounting for container {name} under /sys/fs/cgroup')


def container_seconds(name: str) -> float:
    """CPU time a node container has used so far."""
    path, version = cgroup_usage(name)
    if version == 'v1':
        return int(path.read_text()) / 1e9
    usage = re.search(r'^usage_usec (\d+)$', path.read_text(), re.M)
    if usage is None:
        raise SystemExit(f'bench: {path} has no usage_usec')
    return int(usage.group(1)) / 1e6


def ansible_playbook(*args: str, nodes: list[str], pipelining: str = 'True',
                     playbook: str = 'nodeops.crio.site') -> dict:
    """Run a playbook on nodes; return wall time, CPU seconds by part, recap and per-task times."""
    env = dict(os.environ,
               ANSIBLE_PIPELINING=pipelining,
               ANSIBLE_CALLBACKS_ENABLED='ansible.posix.profile_tasks',
               PROFILE_TASKS_TASK_OUTPUT_LIMIT='all',
               ANSIBLE_FORKS=str(len(nodes)),
               ANSIBLE_NOCOLOR='1',
               COLUMNS='250')
    argv = ['ansible-playbook', '-i', str(HERE / 'inventory.yml'), '--limit', ','.join(nodes),
            '-e', '@' + str(ROOT / 'molecule/resources/vars/airgap-node.yml'), playbook, *args]
    node_cpu = sum(container_seconds(n) for n in nodes)
    start, busy, controller = time.monotonic(), busy_seconds(), children_seconds()
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - start
    cpu = {'controller': children_seconds() - controller, 'nodes': sum(container_seconds(n) for n in nodes) - node_cpu}
    cpu['other'] = max(busy_seconds() - busy - cpu['controller'] - cpu['nodes'], 0.0)
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-6000:] + proc.stderr[-3000:])
        raise SystemExit(f'ansible-playbook {" ".join(argv[3:])} failed ({proc.returncode})')
    return {'wall': round(wall, 2), 'nodes': len(nodes), 'cpu': {k: round(v, 2) for k, v in cpu.items()},
            **parse(proc.stdout)}


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


def per_node(run: dict, part: str) -> float:
    return run['cpu'][part] / run['nodes']


def floor(run: dict) -> float:
    """The least wall time the machine's cores allow for the CPU seconds the run used."""
    return sum(run['cpu'].values()) / (os.cpu_count() or 1)


def measure() -> dict:
    runs: dict = {mode: {'fleet': {}} for mode in MODES}
    for mode, pipelining in MODES.items():
        for count in FLEET:
            print(f'bench: {count} fresh node(s), {mode}', flush=True)
            bed_nodes('absent', len(NODES) + 1)
            bed_nodes('present', count)
            cgroup_usage.cache_clear()
            fleet = NODES[:count]
            runs[mode]['fleet'][count] = {
                'first': ansible_playbook(nodes=fleet, pipelining=pipelining),
                'reconverge': ansible_playbook(nodes=fleet, pipelining=pipelining),
            }
            if count == 1:
                runs[mode]['check'] = ansible_playbook('--check', nodes=fleet, pipelining=pipelining)
    print('bench: a node with kubelet', flush=True)
    bed_nodes('absent', len(NODES) + 1)
    bed_nodes('present', len(NODES) + 1)
    cgroup_usage.cache_clear()
    ansible_playbook(nodes=[KUBELET_NODE], playbook=str(ROOT / 'molecule/kubelet/prepare.yml'))
    ansible_playbook(nodes=[KUBELET_NODE])
    for mode, pipelining in MODES.items():
        runs[mode]['kubelet'] = ansible_playbook(nodes=[KUBELET_NODE], pipelining=pipelining)
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
        'crio': first_line('docker', 'exec', KUBELET_NODE, 'crio', '--version'),
    }


def top_tasks(runs: dict, key: str, count: int = 10) -> list[tuple[str, list[float]]]:
    one = {mode: runs[mode]['fleet'][1][key]['tasks'] for mode in MODES}
    names = set().union(*one.values())
    rows = [(n, [one[m].get(n, 0.0) for m in MODES]) for n in names]
    return sorted(rows, key=lambda row: -max(row[1]))[:count]


def tasks_run(run: dict) -> str:
    stats = run['recap'][sorted(run['recap'])[0]]
    return f'{len(run["tasks"])} ({stats["ok"]} ok, {stats["changed"]} changed, {stats["skipped"]} skipped)'


def cost_table(runs: dict) -> str:
    head = ('| run | nodes | wall | controller CPU s per node | node CPU s per node | rest of the machine, CPU s per node '
            '| CPU floor | wall over floor |\n|' + ' --- |' * 8 + '\n')
    rows = []
    for mode in MODES:
        for key, label in (('first', 'first converge'), ('reconverge', 're-converge')):
            for count in FLEET:
                run = runs[mode]['fleet'][count][key]
                rows.append(f'| {label}, {mode} | {count} | {run["wall"]:.1f} s | {per_node(run, "controller"):.2f} '
                            f'| {per_node(run, "nodes"):.2f} | {per_node(run, "other"):.2f} | {floor(run):.1f} s '
                            f'| {run["wall"] / floor(run):.2f} |')
    return head + '\n'.join(rows) + '\n'


def scale_note(runs: dict) -> str:
    """What a re-converge of a large fleet costs the controller, from the 6-node per-node figure."""
    run = runs['pipelining']['fleet'][FLEET[-1]]['reconverge']
    cost = per_node(run, 'controller')
    scales = '; '.join(f'{n:,} nodes about {n * cost / 60:.0f} controller-core minutes' for n in SCALES)
    return (f'At scale: an idempotent re-converge with pipelining cost the controller {cost:.2f} CPU seconds per node '
            f'(6 nodes), so {scales}, spread over as many cores as `forks` keeps busy; the nodes\' own '
            f'{per_node(run, "nodes"):.2f} CPU seconds each run on the nodes themselves.\n')


def markdown(runs: dict, info: dict) -> str:
    modes = list(MODES)
    head = '| figure | ' + ' | '.join(modes) + ' | target |\n|' + ' --- |' * (len(modes) + 2) + '\n'
    one = {m: runs[m]['fleet'][1] for m in modes}
    rows = [
        ('first converge, 1 fresh node', [one[m]['first'] for m in modes], f'< {TARGETS["first"]:.0f} s'),
        ('idempotent re-converge, 1 node', [one[m]['reconverge'] for m in modes], f'< {TARGETS["reconverge"]:.0f} s'),
        ('check mode, 1 converged node', [runs[m]['check'] for m in modes], ''),
        ('idempotent re-converge with kubelet, 1 node', [runs[m]['kubelet'] for m in modes], f'< {TARGETS["kubelet"]:.0f} s'),
    ]
    body = ''.join(f'| {label} | ' + ' | '.join(f'{run["wall"]:.1f} s' for run in row) + f' | {target} |\n'
                   for label, row, target in rows)
    for label, key in (('tasks started, first converge', 'first'), ('tasks started, re-converge', 'reconverge')):
        body += f'| {label} | ' + ' | '.join(tasks_run(one[m][key]) for m in modes) + ' | |\n'
    text = ['# nodeops.crio benchmark', '',
            'Machine: ' + ', '.join(f'{k} {v}' for k, v in info.items()) + '.', '',
            'Roles run: crio and crictl through `nodeops.crio.site` over the docker connection; on the node with kubelet,',
            'the kubelet role too. Each figure is one run, `forks` set to the number of nodes; `make bench` regenerates',
            'this page.', '', head + body,
            '## Cost per node', '',
            'CPU seconds per node: the controller (ansible-playbook and the processes it waited for, the docker CLI of',
            'the connection among them), the nodes (their containers\' cgroups) and the rest of the machine (Docker\'s',
            'daemons, the mirror). The CPU floor is the run\'s CPU seconds over the machine\'s cores: the least wall time',
            'any scheduler could reach here; a wall time near it means the run was bound by the machine\'s cores.', '',
            cost_table(runs), scale_note(runs)]
    for key, title in (('first', 'first converge'), ('reconverge', 're-converge')):
        text += [f'## Slowest tasks, {title} of 1 node (profile_tasks)', '',
                 '| task | ' + ' | '.join(modes) + ' |', '|' + ' --- |' * (len(modes) + 1)]
        text += [f'| {name.replace("|", chr(92) + "|")} | ' + ' | '.join(f'{t:.2f} s' for t in times) + ' |'
                 for name, times in top_tasks(runs, key)]
        text.append('')
    return '\n'.join(text) + '\n'


def chart(runs: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, (walls, costs) = plt.subplots(1, 2, figsize=(12, 4.5), dpi=100)
    labels = [f'{key}\n{n} node{"s" if n > 1 else ""}' for key in ('first', 're-converge') for n in FLEET]
    keys = [(key, n) for key in ('first', 'reconverge') for n in FLEET]
    width = 0.38
    for offset, mode in enumerate(MODES):
        fleet = runs[mode]['fleet']
        xs = [i + (offset - 0.5) * width for i in range(len(keys))]
        bars = walls.bar(xs, [fleet[n][k]['wall'] for k, n in keys], width, label=mode)
        walls.bar_label(bars, fmt='%.1f', fontsize=7)
        walls.scatter(xs, [floor(fleet[n][k]) for k, n in keys], marker='_', s=200, color='black',
                      label='CPU floor' if offset else None, zorder=3)
    walls.set_xticks(range(len(keys)), labels, fontsize=8)
    walls.set_ylabel('wall time, seconds')
    walls.set_title('wall time (forks = nodes)')
    walls.legend(fontsize=8)
    fleet = runs['pipelining']['fleet']
    bottom = [0.0] * len(keys)
    for part in ('controller', 'nodes', 'other'):
        values = [per_node(fleet[n][k], part) for k, n in keys]
        costs.bar(range(len(keys)), values, 0.6, bottom=bottom, label=part)
        bottom = [b + v for b, v in zip(bottom, values)]
    costs.set_xticks(range(len(keys)), labels, fontsize=8)
    costs.set_ylabel('CPU seconds per node')
    costs.set_title('CPU per node, pipelining')
    costs.legend(fontsize=8)
    fig.suptitle(f'nodeops.crio.site on bed nodes ({os.cpu_count()} cores)')
    fig.tight_layout()
    fig.savefig(path, metadata={'Software': None})
    plt.close(fig)


def bed_nodes(state: str, count: int) -> None:
    subprocess.run(['ansible-playbook', '-i', 'localhost,', str(ROOT / 'molecule/resources/nodes.yml'),
                    '-e', f'bed_network={NETWORK}', '-e', f'nodes_count={count}', '-e', f'nodes_state={state}'],
                   check=True, stdout=subprocess.DEVNULL)


def main() -> int:
    RESULTS.mkdir(exist_ok=True)
    try:
        runs = measure()
        info = versions()
    finally:
        bed_nodes('absent', len(NODES) + 1)
    (RESULTS / 'results.json').write_text(json.dumps({'machine': info, 'runs': runs}, indent=1, sort_keys=True) + '\n')
    (RESULTS / 'results.md').write_text(markdown(runs, info))
    chart(runs, RESULTS / 'chart.png')
    print((RESULTS / 'results.md').read_text())
    return 0


if __name__ == '__main__':
    sys.exit(main())
