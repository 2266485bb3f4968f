"""The valuation mirror: valuers' signed valuation reports onto the chain, exactly once."""
