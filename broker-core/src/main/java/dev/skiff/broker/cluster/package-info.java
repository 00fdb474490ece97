/**
 * Several brokers in one process: the controller's view of the cluster ({@link dev.skiff.broker.cluster.MetadataImage}),
 * the calls brokers make to it ({@link dev.skiff.broker.cluster.Controller}), and what a broker tells its
 * coordinators when leadership moves. A single broker is leader of every partition it has.
 */
package dev.skiff.broker.cluster;
