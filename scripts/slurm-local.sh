#!/usr/bin/env bash
# A single-node Slurm cluster on localhost, for the `--executor slurm` tests (Debian's slurm-wlm 22.05
# and munge, run as root without systemd). Everything it writes — slurm.conf, state, spool, logs,
# pid files — lives in DIR, so the machine's own /etc/slurm is never touched and a stop leaves
# nothing behind.
#
#   scripts/slurm-local.sh start DIR   install slurm-wlm/munge if missing (root + apt), start munged,
#                                      slurmctld and slurmd, wait until the node is idle; prints
#                                      `SLURM_CONF=DIR/slurm.conf` (clients find the cluster by it)
#   scripts/slurm-local.sh stop DIR    cancel every job, wait for them, stop the daemons it started
#                                      (by the pids it recorded) and end leftover job processes
#
# SLURM_LOCAL_CTLD_PORT / SLURM_LOCAL_SLURMD_PORT move the ports (default 6817/6818).
set -euo pipefail

cmd=${1:-}
dir=${2:-}
if [[ -z "$cmd" || -z "$dir" ]]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
export SLURM_CONF="$dir/slurm.conf"

log() { echo "slurm-local: $*" >&2; }

pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

install_if_missing() {
  command -v slurmctld >/dev/null && command -v munged >/dev/null && return 0
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
    log "slurm-wlm and munge are not installed; install them (sudo apt-get install -y slurm-wlm munge) or run as root on Debian/Ubuntu"
    exit 1
  fi
  log "installing slurm-wlm munge with apt-get…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
}

start_munge() {
  # A munged already serving the default socket (another cluster, the system's own) is shared.
  if munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then return 0; fi
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  chmod 0755 /run/munge
  # The package creates /etc/munge/munge.key at install; munged refuses to run as root.
  runuser -u munge -- munged
  for _ in $(seq 50); do
    if munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
      pgrep -u munge -x munged | head -1 >"$dir/munged.pid"
      return 0
    fi
    sleep 0.1
  done
  log "munged did not start (see /var/log/munge/munged.log)"
  exit 1
}

write_conf() {
  local host cpus mem
  host=$(hostname -s)
  cpus=$(nproc)
  # RealMemory must not exceed what slurmd finds, or the node is drained: stay below free memory.
  mem=$(awk '/MemAvailable/ { print int($2 / 1024 * 0.8) }' /proc/meminfo)
  mkdir -p "$dir/state" "$dir/spool" "$dir/log"
  cat >"$SLURM_CONF" <<EOF
ClusterName=qscape-local
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=${SLURM_LOCAL_CTLD_PORT:-6817}
SlurmdPort=${SLURM_LOCAL_SLURMD_PORT:-6818}
SlurmUser=root
AuthType=auth/munge
AuthInfo=cred_expire=10
CredType=cred/munge
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1
MaxArraySize=10001
KillWait=5
MinJobAge=600
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  install_if_missing
  if pid_alive "$(cat "$dir/slurmctld.pid" 2>/dev/null)"; then
    log "already running in $dir"
    echo "SLURM_CONF=$SLURM_CONF"
    return 0
  fi
  start_munge
  write_conf
  slurmctld -c
  slurmd
  local host state=""
  host=$(hostname -s)
  for _ in $(seq 300); do
    state=$(sinfo -h -n "$host" -o %t 2>/dev/null || true)
    if [[ "$state" == "idle" ]]; then
      log "node $host idle (SLURM_CONF=$SLURM_CONF)"
      echo "SLURM_CONF=$SLURM_CONF"
      return 0
    fi
    sleep 0.2
  done
  log "the node did not become idle (state: ${state:-none}); logs in $dir/log"
  tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
  stop
  exit 1
}

stop() {
  local ctld slurmd_pid
  ctld=$(cat "$dir/slurmctld.pid" 2>/dev/null || true)
  slurmd_pid=$(cat "$dir/slurmd.pid" 2>/dev/null || true)
  if pid_alive "$ctld"; then
    # Jobs outlive slurmd: cancel them and wait while both daemons can still end them.
    scancel --full -u root 2>/dev/null || true
    for _ in $(seq 100); do
      [[ -z "$(squeue -h -t running,completing,pending -o %i 2>/dev/null)" ]] && break
      sleep 0.2
    done
  fi
  # Job processes the daemons did not end: those slurmd lists, and the slurmstepds this cluster's
  # slurmd started (they carry its SLURM_CONF; another cluster's are left alone).
  local leftovers
  leftovers=$(scontrol listpids 2>/dev/null | awk 'NR > 1 && $1 ~ /^[0-9]+$/ { print $1 }' || true)
  for pid in $(pgrep -x slurmstepd || true); do
    if tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "SLURM_CONF=$SLURM_CONF"; then leftovers+=" $pid"; fi
  done
  for pid in $leftovers; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "$slurmd_pid" "$ctld"; do
    if pid_alive "$pid"; then
      kill -TERM "$pid"
      for _ in $(seq 50); do pid_alive "$pid" || break; sleep 0.1; done
      pid_alive "$pid" && kill -KILL "$pid"
    fi
  done
  local munged
  munged=$(cat "$dir/munged.pid" 2>/dev/null || true)
  if pid_alive "$munged"; then kill -TERM "$munged"; fi
  rm -f "$dir/munged.pid" "$dir/slurmctld.pid" "$dir/slurmd.pid"
  log "stopped ($dir)"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
