"""`manage.py qcluster`: django-q2's task cluster, stopped within seconds by SIGTERM or SIGINT however they are sent.

django-q2 (1.11) stops a cluster from the parent's signal handler by setting a multiprocessing Event
that its sentinel process sleeps on. Two ways of signalling hang that for ever:

- a SIGTERM to the whole process group (.ci/run's `kill -- -PGID`, supervisor's stopasgroup, service
  managers) also kills the sentinel, which keeps SIGTERM's default action; setting the Event then
  waits for the dead sleeper to wake;
- a second signal re-enters the handler while it holds the Event's lock (django-q2 issue #346).

This command runs django-q2's cluster with a handler that avoids both; it replaces django-q2's own
command because the portal app comes before django_q in INSTALLED_APPS.
"""

import os
import signal

from django_q import cluster
from django_q.management.commands import qcluster

# A group-wide SIGTERM kills the sentinel within milliseconds; a signal to the parent alone leaves it
# running, and then this is how much later the usual stop begins.
SENTINEL_DEATH_SECONDS = 1.0


class Cluster(cluster.Cluster):
    def sig_handler(self, signum, frame):
        """Stop once: let a sentinel that got the same signal die first, then run django-q2's stop."""
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if self.sentinel is not None:
            self.sentinel.join(SENTINEL_DEATH_SECONDS)
        super().sig_handler(signum, frame)


class Command(qcluster.Command):
    def handle(self, *args, **options):
        if options.get("cluster_name"):  # django-q2 reads the queue's name from the environment
            os.environ["Q_CLUSTER_NAME"] = options["cluster_name"]
        task_cluster = Cluster()
        task_cluster.start()
        if options.get("run_once"):
            task_cluster.stop()
