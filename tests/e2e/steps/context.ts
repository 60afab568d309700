import { E2eApp } from "../lib/app";
import { Cluster } from "../lib/cluster";
import { Kit } from "../lib/kit";
import { ClusterEvent } from "../lib/order";
import { PulumiCli } from "../lib/pulumi";
import { StepRecorder } from "../lib/report";

export interface StepContext {
    recorder: StepRecorder;
    pulumi: PulumiCli;
    cluster: Cluster;
    app: E2eApp;
    kit: Kit;
    /** The cluster's watch events of the root stack's namespace. */
    events: ClusterEvent[];
}
