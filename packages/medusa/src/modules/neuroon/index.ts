import { Module } from "@medusajs/framework/utils";
import NeuroonModuleService from "./service";

export const NEUROON_MODULE = "neuroon";

export default Module(NEUROON_MODULE, { service: NeuroonModuleService });
