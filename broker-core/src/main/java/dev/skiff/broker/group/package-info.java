/**
 * Consumer groups: committed offsets ({@link dev.skiff.broker.group.OffsetStore}) and Kafka's classic group
 * protocol ({@link dev.skiff.broker.group.GroupCoordinator}), both kept in the compacted internal topic
 * {@code __consumer_offsets} in Kafka's record layouts (offset key v1/value v3, group key v2/value v3).
 * <p>
 * Choices where Kafka leaves room:
 * <ul>
 *   <li>After a restart a group comes back Empty with its last generation and protocol type; its members
 *       must rejoin (as after a coordinator failover in Kafka, where they usually do so anyway).</li>
 *   <li>A static member rejoining a Stable group keeps its assignment without a rebalance when the chosen
 *       protocol is unchanged and, for protocol type "consumer", it subscribes to the same topics (owned
 *       partitions and generation inside the subscription are ignored).</li>
 *   <li>Members that do not rejoin before the rebalance timeout are removed if dynamic; static ones stay
 *       until their session expires, as in Kafka.</li>
 *   <li>A failed write of group metadata is logged; the group carries on from memory.</li>
 * </ul>
 */
package dev.skiff.broker.group;
