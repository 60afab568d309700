// Fails early when the claims would never bind: no storageClass given and no default StorageClass.
export { StorageClassCheck, type StorageClassCheckArgs } from "./resource";
export { decideStorage, isDefaultClass, type StorageObservation, type StorageVerdict, type StorageClassInfo } from "./decide";
export { makeStorageCheckProvider, type StorageCheckInputs, type StorageCheckOutputs } from "./provider";
// Refuses a change of the volume options that would make Pulumi replace the StatefulSets.
export { VolumeGuard, type VolumeGuardArgs } from "./volumeGuardResource";
export { makeVolumeGuardProvider, volumeChangeProblems, type VolumeGuardInputs, type VolumeSettings } from "./volumeGuard";
