import { MedusaError } from "@medusajs/framework/utils";
import { describe, expect, it } from "vitest";
import { pricingScopeFor } from "./catalog-source";

const region = (countries: string[], automatic_taxes = true) => ({
  id: "reg_1",
  currency_code: "eur",
  automatic_taxes,
  countries: countries.map((iso_2) => ({ iso_2 })),
});

describe("pricingScopeFor", () => {
  it("uses the currency alone when no region is set", () => {
    expect(
      pricingScopeFor(
        {
          regionId: undefined,
          currencyCode: "usd",
          taxInclusive: undefined,
          taxCountryCode: undefined,
        },
        undefined,
      ),
    ).toEqual({ currencyCode: "usd", regionId: undefined, taxCountryCode: undefined });
  });

  it.each([
    [["de"], undefined, "de"],
    [["de", "fr", "it"], "fr", "fr"],
  ])(
    "region with countries %o and taxCountryCode %s converts with %s",
    (countries, option, expected) => {
      expect(
        pricingScopeFor(
          {
            regionId: "reg_1",
            currencyCode: undefined,
            taxInclusive: true,
            taxCountryCode: option,
          },
          region(countries),
        ),
      ).toEqual({ currencyCode: "eur", regionId: "reg_1", taxCountryCode: expected });
    },
  );

  it("refuses taxInclusive for a region of several countries without taxCountryCode (Medusa's starter region has 7)", () => {
    const starter = region(["gb", "de", "dk", "se", "fr", "es", "it"]);
    const scopeOfStarter = () =>
      pricingScopeFor(
        {
          regionId: "reg_1",
          currencyCode: undefined,
          taxInclusive: true,
          taxCountryCode: undefined,
        },
        starter,
      );
    expect(scopeOfStarter).toThrow(MedusaError);
    expect(scopeOfStarter).toThrow(
      /has 7 countries \(gb, de, dk, se, fr, es, it\)[\s\S]*Set the "taxCountryCode" option/,
    );
  });

  it("needs no tax country when prices are sent as stored or the region has no automatic taxes", () => {
    const many = region(["de", "fr"]);
    expect(
      pricingScopeFor(
        {
          regionId: "reg_1",
          currencyCode: undefined,
          taxInclusive: undefined,
          taxCountryCode: undefined,
        },
        many,
      ).taxCountryCode,
    ).toBeUndefined();
    expect(
      pricingScopeFor(
        {
          regionId: "reg_1",
          currencyCode: undefined,
          taxInclusive: true,
          taxCountryCode: undefined,
        },
        region(["de", "fr"], false),
      ).taxCountryCode,
    ).toBeUndefined();
  });

  it("names a region that does not exist", () => {
    expect(() =>
      pricingScopeFor(
        {
          regionId: "reg_x",
          currencyCode: undefined,
          taxInclusive: undefined,
          taxCountryCode: undefined,
        },
        undefined,
      ),
    ).toThrow(/region "reg_x" \(option regionId\) does not exist/);
  });
});
