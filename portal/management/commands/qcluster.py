"""`manage.py qcluster`: django-q2's task cluster, stopped within seconds by SIGTERM or SIGINT however they are sent.

django-q2 (1.11) stops a cluster from the parent's signal handler: it sets a multiprocessing Event that
its sentinel process sleeps on, then waits for the sentinel. Two ways of signalling hang that for ever:

- a SIGTERM to the whole process group (.ci/run's `kill -- -PGID`, supervisor's stopasgroup, service
  managers) also kills the sentinel, which keeps SIGTERM's default action, while it sleeps on the
  Event; Event.set() raises the flag and then waits for every sleeper to wake, which a dead one never does;
- a second signal re-enters the handler while it holds the Event's lock (django-q2 issue #346).

This command runs django-q2's cluster with a handler that avoids both; it replaces django-q2's own
command because the portal app comes before django_q in INSTALLED_APPS.
"""

import os
import signal
import threading

from django_q import cluster
from django_q.conf import logger
from django_q.management.commands import qcluster


class Cluster(cluster.Cluster):
    def sig_handler(self, signum, frame):
        """Stop once: tell the sentinel to stop and return when it has exited, gracefully or killed."""
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        logger.info("Q Cluster %s stopping.", self.name)
        # From a thread: if the same signal killed the sentinel, set() blocks after raising the flag.
        threading.Thread(target=self.stop_event.set, daemon=True).start()
        self.sentinel.join()
        logger.info("Q Cluster %s has stopped.", self.name)


class Command(qcluster.Command):
    def handle(self, *args, **options):
        if options.get("cluster_name"):  # django-q2 reads the queue's name from the environment
            os.environ["Q_CLUSTER_NAME"] = options["cluster_name"]
        task_cluster = Cluster()
        task_cluster.start()
        if options.get("run_once"):
            task_cluster.stop()
