package dev.outflow.operators.routing;

import dev.outflow.operators.testutils.RoutingHarness;
import dev.outflow.schemas.catalog.DestinationCatalog;

import org.apache.flink.runtime.operators.testutils.MockEnvironment;

/**
 * The one-input routing operator of a catalog without a suppression topic passes every test of the broadcast one
 * (outputs, dead letters, filtered pairs, shards, metrics).
 */
class ChainedParseAndRouteFunctionTest extends ParseAndRouteFunctionTest {

    @Override
    RoutingHarness harness(DestinationCatalog catalog, MockEnvironment environment) throws Exception {
        return new RoutingHarness(new ChainedParseAndRouteFunction(catalog), environment);
    }
}
