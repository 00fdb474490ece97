/**
 * Where the group and transaction coordinators live, and how they follow the leadership of
 * {@code __consumer_offsets} and {@code __transaction_state}. {@link dev.skiff.broker.coordinator.CoordinatorLocator}
 * answers FindCoordinator and guards every coordinator API; {@link dev.skiff.broker.coordinator.Coordinators}
 * (one per broker, {@code broker.coordinators()}) loads and drops partitions as leadership moves.
 *
 * <p>Wiring a broker into a cluster (SkiffCluster, before the broker serves its first request):
 * <pre>{@code
 * broker.coordinators().joinCluster(
 *         controller::image,                     // the image the broker last applied
 *         controller,                            // creates the internal topics when first needed
 *         id -> running(id) ? brokerById(id).coordinators() : null);  // in-process peers, null when down
 * replicaManager.addLeadershipListener(broker.coordinators());
 * }</pre>
 * The ReplicaManager calls {@code onBecomeLeader} once the local log of an internal partition holds what the
 * leader had (after truncation and catch-up), and {@code onResign} when the leadership moves away (including
 * when the broker is being stopped). A single broker needs none of this: it leads every partition from its
 * start. A cluster of fewer than three brokers sets {@code offsets.topic.replication.factor} and
 * {@code transaction.state.log.replication.factor} to its size, as Kafka's test clusters do: Kafka 4.x does not
 * lower them, and refuses to create the topics while fewer brokers are alive.
 *
 * <p>The peers also serve the calls that cross brokers in Kafka's requests between brokers: transaction markers
 * go to each data partition's leader ({@link dev.skiff.broker.coordinator.ClusterMarkerWriter}), a committed
 * transaction's offsets to its group's coordinator, and a data partition's leader verifies a transactional batch
 * with the producer's transaction coordinator wherever it runs ({@code Coordinators.verifyProduce}, wired by
 * {@code Broker} into {@code Partitions}; NOT_ENOUGH_REPLICAS, which producers retry, while that coordinator
 * moves).
 */
package dev.skiff.broker.coordinator;
